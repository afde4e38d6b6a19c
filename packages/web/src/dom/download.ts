// Offering something the page made as a file download.

/** Saves `blob` as a download named `name` (the object URL is released once the browser has it). */
export function downloadBlob(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
