import fc from 'fast-check';
import { isEmail } from 'class-validator';
import { commonEmail, isEmailAddress } from './email-check';

// Characters around every rule of isEmail: user-part and label characters, the dot, @, quotes,
// brackets, spaces, an underscore, non-ASCII letters and full-width forms, a surrogate pair.
const CHARS = [...'aZ09.-_@+!#$%&\'*/=?^`{|}~"\\()[]<>:;, \t\n', 'é', 'ß', '\u00a1', '\u00a0', '\uff01', '\uff5e', '\ud83d\ude00', 'x', 'n'];
const chars = (maxLength: number) => fc.array(fc.constantFrom(...CHARS), { maxLength }).map((a) => a.join(''));
const label = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9-]{${min},${max}}$`));
/** A run of one character around a limit (63 per label, 64 before the @). */
const run = (char: string, min: number, max: number) => fc.integer({ min, max }).map((n) => char.repeat(n));
/** Near the shape and its limits: 64-character user parts, 63-character labels, 254 in all, numeric and xn-- TLDs. */
const nearShape = fc
  .record({
    user: fc.oneof(chars(70), fc.stringMatching(/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{0,66}$/), run('u', 62, 66)),
    labels: fc.array(fc.oneof(label(0, 65), chars(8), run('l', 61, 65)), { minLength: 0, maxLength: 5 }),
    tld: fc.oneof(fc.constantFrom('com', 'c', 'co', 'ie', 'xn--p1ai', '123', 'c0m', 'COM', 'a'.repeat(63), 'a'.repeat(64)), label(0, 8)),
    pad: fc.nat({ max: 260 }),
  })
  .map(({ user, labels, tld, pad }) => {
    const domain = [...labels, tld].join('.');
    const email = `${user}@${domain}`;
    // Sometimes grown past 254 characters with one more long label.
    return pad > 200 ? `${user}@${'b'.repeat(Math.min(63, pad - 200))}.${'c'.repeat(Math.min(63, pad - 190))}.${'d'.repeat(63)}.${domain}` : email;
  });

/** Common-shape addresses of 250–258 characters in all (isEmail's limit is 254). */
const DOMAIN = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.com`;
const aroundMaxLength = fc.integer({ min: 250, max: 258 }).map((n) => `${'u'.repeat(n - 1 - DOMAIN.length)}@${DOMAIN}`);

describe('the email check of a contact', () => {
  it('answers as class-validator isEmail does, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), nearShape, aroundMaxLength, chars(40), fc.string(), fc.string({ unit: 'binary' })), (s) => {
        expect(isEmailAddress(s)).toBe(isEmail(s));
        // The fast path never vouches for what isEmail refuses.
        if (commonEmail(s)) expect(isEmail(s)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });

  it.each([
    ['Contact.1@Example.com', true],
    ["o'brien+tag@mail.example.ie", true],
    [`${'u'.repeat(64)}@example.com`, true],
    [`${'u'.repeat(65)}@example.com`, false],
    [`u@${'l'.repeat(63)}.com`, true],
    [`u@${'l'.repeat(64)}.com`, false],
    [`u@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.com`, true],
    [`u@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`, false],
    ['a..b@example.com', false],
    ['.a@example.com', false],
    ['a@-example.com', false],
    ['a@example-.com', false],
    ['a@example.c', false],
    ['a@example.123', false],
    ['a@under_score.com', false],
    ['a@localhost', false],
    ['a@b@example.com', false],
  ])('%s: common shape %s, and isEmail agrees', (email, common) => {
    expect(commonEmail(email)).toBe(common);
    expect(isEmail(email)).toBe(common);
  });

  it('leaves the rarer valid shapes to isEmail: quoted and non-ASCII user parts, xn-- and non-ASCII domains', () => {
    for (const email of ['"quoted user"@example.com', 'zoë@example.com', 'a@xn--p1ai', 'a@bücher.de']) {
      expect(commonEmail(email)).toBe(false);
      expect(isEmailAddress(email)).toBe(isEmail(email));
    }
    expect(isEmailAddress('"quoted user"@example.com')).toBe(true);
  });
});
