// Code points in JavaScript's UTF-16 strings: the protocol counts code points (an emoji is
// one), text areas count UTF-16 units. These walk strings unit by unit and step over
// surrogate pairs, rather than turning whole texts into arrays on every keystroke.

function isHigh(unit) {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit) {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

// A lone surrogate counts as one code point, as it does in Python.
function pairAt(text, index) {
  return isHigh(text.charCodeAt(index)) && index + 1 < text.length && isLow(text.charCodeAt(index + 1));
}

// Most texts have no surrogates at all, where a native scan settles the count at once.
const SURROGATE = /[\uD800-\uDFFF]/;

/** The UTF-16 index `count` code points after `from` (or the end of the text). */
export function advance(text, from, count) {
  if (!SURROGATE.test(text.slice(from, from + count))) return Math.min(from + count, text.length);
  let index = from;
  const end = text.length;
  for (let left = count; left > 0 && index < end; left--) index += pairAt(text, index) ? 2 : 1;
  return index;
}

/** The UTF-16 index `count` code points before `from` (or the start of the text). */
export function retreat(text, from, count) {
  let index = from;
  for (let left = count; left > 0 && index > 0; left--) index -= pairEndsAt(text, index) ? 2 : 1;
  return index;
}

/** Whether `index` falls between the two halves of a surrogate pair. */
export function splitsPair(text, index) {
  return index > 0 && isLow(text.charCodeAt(index)) && isHigh(text.charCodeAt(index - 1));
}

function pairEndsAt(text, end) {
  return end >= 2 && isLow(text.charCodeAt(end - 1)) && isHigh(text.charCodeAt(end - 2));
}

/**
 * How many code points `s` holds: an emoji counts 1, a lone surrogate counts 1.
 * @param {string} s
 * @returns {number}
 */
export function codePointLength(s) {
  if (!SURROGATE.test(s)) return s.length;
  let pairs = 0;
  const last = s.length - 1;
  for (let i = 0; i < last; i++) {
    if (isHigh(s.charCodeAt(i)) && isLow(s.charCodeAt(i + 1))) {
      pairs++;
      i++;
    }
  }
  return s.length - pairs;
}

/**
 * The code point index of the UTF-16 index `utf16Index` in `text`, as a textarea's
 * `selectionStart` becomes a protocol position. An index between the two halves of a pair
 * rounds down to the start of that character; indexes outside the text are clamped.
 * @param {string} text
 * @param {number} utf16Index
 * @returns {number}
 */
export function utf16ToCodePoint(text, utf16Index) {
  let target = Math.max(0, Math.min(utf16Index, text.length));
  if (splitsPair(text, target)) target--;
  return codePointLength(text.slice(0, target));
}

/**
 * The UTF-16 index of the code point index `cpIndex` in `text`, as a protocol position
 * becomes a textarea's `selectionStart`; indexes past the end give the text's length.
 * @param {string} text
 * @param {number} cpIndex
 * @returns {number}
 */
export function codePointToUtf16(text, cpIndex) {
  return advance(text, 0, Math.max(0, cpIndex));
}
