/**
 * A project's label schema as the annotation page uses it. The server stores what the project
 * set and fills the rest with defaults when it validates; the same defaults are applied here.
 */

export interface LabelOption {
  name: string;
  code: number;
}

export interface LabelSchema {
  expression_types: LabelOption[];
  emotions: LabelOption[];
  action_units: string[];
  au_intensity: boolean;
  apex: boolean;
  note: boolean;
  guidelines: string;
}

export const AU_INTENSITIES = ["A", "B", "C", "D", "E"] as const;

const DEFAULT_EMOTIONS: LabelOption[] = ["happy", "sad", "neutral", "angry", "surprise", "disgust", "fear"].map(
  (name, index) => ({ name, code: index + 1 }),
);
const PRESETS: Record<string, LabelOption[]> = {
  dfew: DEFAULT_EMOTIONS,
  casme2: ["positive", "negative", "surprise", "others"].map((name, index) => ({ name, code: index + 1 })),
  none: [],
};
const DEFAULT_AUS = ["AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU10", "AU12", "AU14", "AU15", "AU17", "AU20", "AU23", "AU24", "AU25", "AU26", "AU43"];

function options(value: unknown): LabelOption[] | null {
  if (!Array.isArray(value)) return null;
  return value
    .filter((item): item is { name: string; code: unknown } => typeof item === "object" && item !== null && typeof (item as { name?: unknown }).name === "string")
    .map((item) => ({ name: item.name, code: typeof item.code === "number" ? item.code : 0 }));
}

/** The schema with the server's defaults for every missing key. */
export function parseLabelSchema(raw: unknown): LabelSchema {
  const record = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  const preset = typeof record.emotion_preset === "string" ? PRESETS[record.emotion_preset] : undefined;
  const types = options(record.expression_types);
  return {
    expression_types: types && types.length > 0 ? types : [{ name: "macro", code: 1 }, { name: "micro", code: 2 }],
    emotions: options(record.emotions) ?? preset ?? DEFAULT_EMOTIONS,
    action_units: Array.isArray(record.action_units) ? record.action_units.filter((u): u is string => typeof u === "string") : DEFAULT_AUS,
    au_intensity: typeof record.au_intensity === "boolean" ? record.au_intensity : false,
    apex: typeof record.apex === "boolean" ? record.apex : true,
    note: typeof record.note === "boolean" ? record.note : true,
    guidelines: typeof record.guidelines === "string" ? record.guidelines : "",
  };
}

/** Split a stored AU (`AU12`, `AU12C`) into its code and intensity. */
export function splitAu(value: string): { code: string; intensity: string } {
  const match = /^(AU\d{1,2}[LR]?)([A-E]?)$/.exec(value);
  return match ? { code: match[1] ?? value, intensity: match[2] ?? "" } : { code: value, intensity: "" };
}
