// The intro's links: the model cards and the repository, when package.json names the repository.

/** Model cards in the repository, by the model file they describe. */
const MODEL_CARDS = [
  { name: 'S-curve (2-D points)', path: 'models/s-curve.md' },
  { name: 'Fashion-MNIST (class-conditional U-Net)', path: 'models/fashion-mnist.md' },
];

export function mountIntroLinks(el: HTMLElement, repositoryUrl: string): void {
  const base = repositoryUrl.replace(/\.git$/, '').replace(/\/$/, '');
  const link = (text: string, path: string) => {
    if (!base) {
      const code = document.createElement('code');
      code.textContent = path;
      return [`${text} (`, code, ')'];
    }
    const a = document.createElement('a');
    a.href = `${base}/blob/main/${path}`;
    a.textContent = text;
    return [a];
  };
  const parts: (string | Node)[] = ['Model cards: '];
  MODEL_CARDS.forEach((c, i) => {
    parts.push(...(i ? [', '] : []), ...link(c.name, c.path));
  });
  parts.push('. Source and training: ');
  if (base) {
    const a = document.createElement('a');
    a.href = base;
    a.textContent = 'the onnx-ddpm repository';
    parts.push(a, '.');
  } else {
    parts.push('the onnx-ddpm repository (', Object.assign(document.createElement('code'), { textContent: 'packages/web' }), ').');
  }
  el.replaceChildren(...parts);
}
