// The command line as a user meets it: help for every command, usage errors with the option
// and the value (exit code 2), `pq inspect`'s report. One child process checks the exit codes
// and streams; the rest parses in process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_OPSET, MIN_OPSET } from '@pq/nn';
import { EXPORT_OPSETS, HELP, INSPECT_HELP, QUANTIZE_HELP, parseCommand } from '../src/args.js';
import { inspectFile } from '../src/inspect.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@pq/source', '--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000, env });
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL = `${ROOT}packages/onnx/test/fixtures/transformer_op17.onnx`;
const blocks = (file: string) => [...readFileSync(`${ROOT}${file}`, 'utf8').matchAll(/^```\w*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

describe('pq command line', () => {
  it('answers --help (exit 0) and usage errors (exit 2, the message and a hint on stderr)', () => {
    const help = run('quantize', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(QUANTIZE_HELP);
    const bad = run('quantize', 'in.onnx', '--calib', 'x.npy', '-o', 'out.onnx', '--method', 'median');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('pq: --method must be one of max, percentile, mse, entropy, got "median"\nRun with --help for the options.\n');
  });

  it('documents every option of every command in its --help', () => {
    expect(parseCommand([])).toEqual({ command: 'help', text: HELP });
    expect(parseCommand(['inspect', '-h'])).toEqual({ command: 'help', text: INSPECT_HELP });
    for (const option of ['--calib', '--method', '--percentile', '--per-channel', '--exclude', '--calib-samples', '--batch-size', '--size', '--resize',
      '--mean', '--std', '--qat-data', '--qat-epochs', '--labels', '--lr', '--output', '--opset', '--backend', '--quiet', '--help']) {
      expect(QUANTIZE_HELP).toContain(option);
    }
  });

  it('the root README shows each --help as it is; the app README shows what pq inspect prints', () => {
    const root = blocks('README.md');
    for (const [command, text] of [['pq --help', HELP], ['pq quantize --help', QUANTIZE_HELP], ['pq inspect --help', INSPECT_HELP]] as const) {
      expect(root).toContain(`$ ${command}\n${text}`);
    }
    const session = blocks('apps/cli/README.md').find((b) => b.startsWith('$ npx -y pnpm@12.4.2 pq inspect '))!;
    const [command, ...printed] = session.trimEnd().split('\n');
    const path = command!.split(' ').pop()!;
    expect(inspectFile(`${ROOT}${path}`, path).lines).toEqual(printed);
  });

  it('refuses bad command lines, naming the option and the value', () => {
    const refused = (argv: string[], message: string) => expect(() => parseCommand(argv)).toThrow(message);
    expect(EXPORT_OPSETS).toEqual([MIN_OPSET, MAX_OPSET]);
    refused(['convert', 'a.onnx'], 'unknown command "convert" (commands: quantize, inspect)');
    refused(['quantize', '--calib', 'd', '-o', 'o.onnx'], 'quantize needs the model to quantize (IN.onnx)');
    refused(['quantize', 'a.onnx', '-o', 'o.onnx'], 'quantize needs --calib DATA');
    refused(['quantize', 'a.onnx', '--calib', 'd'], 'quantize needs -o OUT.onnx');
    refused(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--percentile', '99.9'], '--percentile applies to --method percentile (the method is max)');
    refused(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--method', 'percentile', '--percentile', '101'], '--percentile must be at most 100, got "101"');
    refused(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--qat-epochs', '2'], '--qat-epochs, --labels and --lr apply to fine-tuning: give --qat-data DATA');
    refused(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--mean', '0.5,0.5'], '--mean needs three comma-separated numbers (R,G,B), got "0.5,0.5"');
    refused(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--std', '0.2,0,0.2'], '--std must be a number > 0, got "0"');
    refused(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--opset', '12'], '--opset must be 13 to 21 (what pq exports), got "12"');
    refused(['quantize', 'a.onnx', 'b.onnx', '--calib', 'd', '-o', 'o'], 'quantize takes one model file, got 2: a.onnx b.onnx');
    refused(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--per-chanel'], "Unknown option '--per-chanel'");
    const c = parseCommand(['quantize', 'a.onnx', '--calib', 'd', '-o', 'o', '--exclude', 'fc', '--exclude', 'layer4.*', '--mean', '0.5,0.5,0.5']);
    expect(c.command === 'quantize' && [c.options.exclude, c.options.mean]).toEqual([['fc', 'layer4.*'], [0.5, 0.5, 0.5]]);
  });

  it('pq inspect: inputs, outputs, opset, op histogram, parameters, importability', () => {
    const { lines, importable } = inspectFile(MODEL);
    expect(importable).toBe(true);
    expect(lines[0]).toMatch(/transformer_op17\.onnx: ONNX IR 8, opset 17, from pytorch 1\.13/);
    expect(lines).toContain('inputs:');
    expect(lines.some((l) => /^ {2}input +FLOAT +\[2, 5, 16\]$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}LayerNormalization +4$/.test(l))).toBe(true);
    expect(lines).toContain('pq can import it: yes');
    expect(() => inspectFile('/no/such/model.onnx')).toThrow('cannot read /no/such/model.onnx');
  });
});
