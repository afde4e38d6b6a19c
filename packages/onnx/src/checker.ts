import { execFile } from 'node:child_process';

/** Debian's python3, which has the onnx module (not a pyenv python3 on PATH). */
export const DEFAULT_PYTHON = '/usr/bin/python3';

export interface CheckResult {
  /** False when python or its onnx module is missing; ok is then false too. */
  available: boolean;
  ok: boolean;
  message: string;
}

export interface CheckerOptions {
  /** Python interpreter (default /usr/bin/python3). */
  python?: string;
  /** Milliseconds before the check is abandoned (default 120000). */
  timeoutMs?: number;
}

const EXIT_NO_ONNX = 3;
const EXIT_INVALID = 4;

// Exit codes: 0 valid, 3 onnx missing, 4 the checker rejected the model.
const CHECK_SCRIPT = `
import sys
try:
    import onnx
except Exception as e:
    print("python onnx module not available: %s" % e)
    sys.exit(${EXIT_NO_ONNX})
if len(sys.argv) < 2:
    print("onnx %s" % onnx.__version__)
    sys.exit(0)
try:
    onnx.checker.check_model(sys.argv[1], full_check=True)
except Exception as e:
    print("%s: %s" % (type(e).__name__, str(e).strip()))
    sys.exit(${EXIT_INVALID})
print("valid (onnx %s, full_check)" % onnx.__version__)
`;

function runPython(args: string[], opts: CheckerOptions): Promise<CheckResult> {
  const python = opts.python ?? DEFAULT_PYTHON;
  return new Promise((resolve) => {
    execFile(python, ['-c', CHECK_SCRIPT, ...args], { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!error) return resolve({ available: true, ok: true, message: output });
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'EACCES') {
        return resolve({ available: false, ok: false, message: `${python} not found (${code})` });
      }
      if (code === EXIT_NO_ONNX) return resolve({ available: false, ok: false, message: output });
      if (code === EXIT_INVALID) return resolve({ available: true, ok: false, message: output });
      resolve({ available: true, ok: false, message: `${python} failed: ${output || error.message}` });
    });
  });
}

/** Runs onnx.checker.check_model(path, full_check=True) (shape inference included) in python. */
export function checkModel(path: string, opts: CheckerOptions = {}): Promise<CheckResult> {
  return runPython([path], opts);
}

/** Whether the python onnx checker can run here; message gives the onnx version or the reason. */
export async function probeChecker(opts: CheckerOptions = {}): Promise<{ available: boolean; message: string }> {
  const { available, message } = await runPython([], opts);
  return { available, message };
}
