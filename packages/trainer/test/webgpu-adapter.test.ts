import { describe, expect, it } from 'vitest';
import { adapterLabel, summarizeAdapter } from '../src/index.js';

describe('summarizeAdapter', () => {
  it("marks SwiftShader (Dawn's and Chromium's software Vulkan) as software", () => {
    const a = summarizeAdapter({ info: { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' } });
    expect(a).toMatchObject({ vendor: 'google', architecture: 'swiftshader', software: true });
    expect(adapterLabel(a)).toBe('google swiftshader swiftshader-device-subzero- SwiftShader driver 5.0.0 (software)');
  });

  it("marks Mesa's lavapipe and a fallback adapter as software", () => {
    expect(summarizeAdapter({ info: { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' } }).software).toBe(true);
    expect(summarizeAdapter({ info: { vendor: 'mesa', architecture: 'lavapipe' } }).software).toBe(true);
    expect(summarizeAdapter({ isFallbackAdapter: true, info: { vendor: 'acme', architecture: 'x' } }).software).toBe(true);
    expect(summarizeAdapter({ info: { vendor: 'acme', architecture: 'x', isFallbackAdapter: true } }).software).toBe(true);
  });

  it('takes a hardware adapter for what it is', () => {
    const nvidia = summarizeAdapter({ isFallbackAdapter: false, info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' } });
    expect(nvidia.software).toBe(false);
    expect(adapterLabel(nvidia)).toBe('nvidia hopper NVIDIA H100');
    expect(summarizeAdapter({ info: { vendor: 'apple', architecture: 'metal-3' } }).software).toBe(false);
    expect(adapterLabel(summarizeAdapter({}))).toBe('unnamed adapter');
  });
});
