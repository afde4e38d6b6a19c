// What the user gave the Train mode: files from a file input, a folder input or a drop (folders walked),
// sorted into image files (a folder's images, sub-folders as classes) or IDX files (images and labels).
import type { ImageFileEntry, TrainData } from './protocol.js';

const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

/** Every file under the dropped items, with its path ("folder/sub/name.png"); folders are walked. */
export async function droppedFiles(items: DataTransferItemList): Promise<ImageFileEntry[]> {
  const roots = Array.from(items, (item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  const out: ImageFileEntry[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: entry.fullPath.replace(/^\//, ''), file });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns the folder in chunks until an empty one.
    for (;;) {
      const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (chunk.length === 0) break;
      for (const child of chunk) await walk(child);
    }
  };
  for (const root of roots) await walk(root);
  return out;
}

/** Files from an <input type=file> (a folder input gives each file's path inside the folder). */
export function pickedFiles(list: ArrayLike<File>): ImageFileEntry[] {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** The training data in some files: a folder of images, or one IDX images file and its labels. */
export async function dataFromFiles(files: ImageFileEntry[], image: { size: number; channels: 1 | 3 }): Promise<TrainData> {
  if (files.length === 0) throw new Error('no files were given');
  const images = files.filter((f) => IMAGE_FILE.test(f.path));
  if (images.length > 0) {
    const name = files.every((f) => f.path.includes('/')) ? files[0]!.path.split('/')[0]! : `${images.length} images`;
    return { kind: 'images', name, files: images, ...image };
  }
  const idx = files.filter((f) => !f.path.split('/').at(-1)!.startsWith('.'));
  if (idx.length > 2) throw new Error(`give one IDX images file and at most one IDX labels file, not ${idx.length} files`);
  const read = async (f: ImageFileEntry) => ({ name: f.path.split('/').at(-1)!, bytes: new Uint8Array(await f.file.arrayBuffer()) });
  const [a, b] = await Promise.all(idx.map(read));
  if (!b) return { kind: 'idx', images: a! };
  // The labels: the file named so, else the smaller one.
  const aIsLabels = /label/i.test(a!.name) || (!/label/i.test(b.name) && a!.bytes.length < b.bytes.length);
  return aIsLabels ? { kind: 'idx', images: b, labels: a! } : { kind: 'idx', images: a!, labels: b };
}

/** One line about the chosen files. */
export function describeData(data: TrainData): string {
  if (data.kind === 'toy') return `2-D toy ${data.name}: 10 000 points`;
  if (data.kind === 'idx') return `IDX ${data.images.name}${data.labels ? ` with labels ${data.labels.name}` : ''}`;
  return `${data.files.length} images from ${data.name}, resized to ${data.size}×${data.size}×${data.channels}`;
}
