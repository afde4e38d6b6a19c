import type { Command } from '../command.js';
import { notYetCommand } from './not-yet.js';

export const commands: Command[] = [
  notYetCommand('train', 'train an ε-model with TensorFlow.js', 'the trainer'),
  notYetCommand('export', 'export a training checkpoint to ONNX', 'the trainer'),
  notYetCommand('sample', 'sample images or points from an ONNX model', 'the Node sampler'),
  notYetCommand('noise', 'show the forward process q(x_t|x_0) on an image as a strip', 'the Node sampler'),
  notYetCommand('inspect', "print an ONNX model's inputs, outputs, opsets and metadata", 'the Node sampler'),
  notYetCommand('doctor', 'print what this machine can run (Node, ORT EPs, TF.js backends)', 'the Node sampler'),
  notYetCommand('parity', 'compare one model across every runtime on this machine', 'the browser sampler'),
  notYetCommand('bench', 'benchmark sampling speed and loop overhead', 'the Node sampler'),
  notYetCommand('eval', 'measure sample quality (FID/KID, classifier accuracy)', 'the models issue'),
];
