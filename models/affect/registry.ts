/** Every affect backend, in order of preference: the HSEmotion models first, the offline one last. */
import { FACEAPI_EXPRESSION } from './faceapi-expression';
import { HSEMOTION_SPECS } from './hsemotion';
import { OnnxAffectBackend } from './onnx-backend';
import type { AffectBackend, AffectBackendId, AffectBackendSpec } from './types';

export const AFFECT_SPECS: readonly AffectBackendSpec[] = [...HSEMOTION_SPECS, FACEAPI_EXPRESSION];

export function affectSpec(id: AffectBackendId): AffectBackendSpec | undefined {
  return AFFECT_SPECS.find((s) => s.id === id);
}

/** All backends share the one ONNX runner; the spec says how to feed and read each model. */
export function createAffectBackend(spec: AffectBackendSpec): AffectBackend {
  return new OnnxAffectBackend(spec);
}

/**
 * The order to try backends in: the user's choice first (when given), then the rest by preference.
 * A backend whose file is missing or broken is skipped and the next one is tried.
 */
export function backendOrder(preferred: AffectBackendId | 'auto'): AffectBackendSpec[] {
  const chosen = preferred === 'auto' ? undefined : affectSpec(preferred);
  return chosen ? [chosen, ...AFFECT_SPECS.filter((s) => s !== chosen)] : [...AFFECT_SPECS];
}
