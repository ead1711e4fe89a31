import { describe, expect, it } from "vitest";
import { formatDrift } from "./format";

describe("formatDrift", () => {
  it.each([
    [210, "3 minutes 30 seconds ahead of"],
    [-210, "3 minutes 30 seconds behind"],
    [60, "1 minute ahead of"],
    [-60, "1 minute behind"],
    [90, "1 minute 30 seconds ahead of"],
    [600, "10 minutes ahead of"],
    [-600, "10 minutes behind"],
    [30, "30 seconds ahead of"],
    [-1, "1 second behind"],
    [0, "0 seconds ahead of"],
  ])("%i s → %s", (seconds, words) => {
    expect(formatDrift(seconds)).toBe(words);
  });
});
