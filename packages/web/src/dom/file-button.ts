// A button that opens a hidden file input (the page's "Open …" buttons): one wiring for every panel.

/**
 * Makes `button` open the hidden file `input` and hands the files picked to `onPick` (not called
 * when the dialog is cancelled). The input is emptied first, so picking the same file again works.
 */
export function wireFileButton(button: HTMLButtonElement, input: HTMLInputElement, onPick: (files: File[]) => unknown): void {
  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = Array.from(input.files ?? []);
    input.value = '';
    if (files.length > 0) void onPick(files);
  });
}
