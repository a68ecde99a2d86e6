/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"
#include "test-util.h"

/* s: len bytes of ASCII with seq at pos (seq's bytes replace as many of the ASCII). */
static void ascii_with(char *s, size_t len, size_t pos, const char *seq) {
        memset(s, 'a', len);
        s[len] = 0;
        memcpy(s + pos, seq, strlen(seq));
}

/* ASCII is checked 32 and 8 bytes at a time: a sequence is judged the same wherever it
 * falls in or after those blocks, at the start, in the middle and in the tail. */
START_TEST(utf8_is_valid_judges_a_sequence_alike_at_every_offset) {
        static const struct {
                const char *seq;
                bool valid;
        } seqs[] = {
                { "\xc3\xa9", true },          /* é */
                { "\xe2\x82\xac", true },      /* € */
                { "\xf0\x9f\x98\x80", true },  /* U+1F600 */
                { "\xff", false },             /* never a UTF-8 byte */
                { "\x80", false },             /* a continuation byte without a lead */
                { "\xc0\x80", false },         /* NUL, overlong */
                { "\xed\xa0\x80", false },     /* U+D800, a surrogate */
                { "\xef\xbf\xbe", false },     /* U+FFFE, a non-character */
                { "\xf4\x90\x80\x80", false }, /* above U+10FFFF */
        };
        char s[128];
        for (size_t i = 0; i < ELEMENTSOF(seqs); i++) {
                size_t n = strlen(seqs[i].seq);
                for (size_t len = n; len < 100; len++)
                        for (size_t pos = 0; pos + n <= len; pos++) {
                                ascii_with(s, len, pos, seqs[i].seq);
                                ck_assert_msg(utf8_is_valid(s) == seqs[i].valid, "seq %zu at %zu of %zu", i, pos, len);
                        }
        }
}
END_TEST

START_TEST(utf8_is_valid_refuses_a_sequence_cut_by_the_end) {
        char s[128];
        for (size_t len = 1; len < 100; len++) {
                ascii_with(s, len, len - 1, "\xc3"); /* the lead of é, then the NUL */
                ck_assert_msg(!utf8_is_valid(s), "length %zu", len);
                if (len >= 2) {
                        ascii_with(s, len, len - 2, "\xe2\x82"); /* two of €'s three */
                        ck_assert_msg(!utf8_is_valid(s), "length %zu", len);
                }
        }
        ck_assert(utf8_is_valid(""));
}
END_TEST

int main(void) {
        Suite *s = suite_create("string-util");
        TCase *tc = tcase_create("utf8");
        tcase_add_test(tc, utf8_is_valid_judges_a_sequence_alike_at_every_offset);
        tcase_add_test(tc, utf8_is_valid_refuses_a_sequence_cut_by_the_end);
        suite_add_tcase(s, tc);
        return tu_run_suite(s);
}
