/*
 * check_uuid.c - the four spellings, their equality, and where a bad one
 * goes wrong.
 */
#include "internal.h"
#include "tests.h"

#include <string.h>

static struct az_uuid parse_ok(const char *s)
{
    struct az_uuid u;
    size_t bad = 99;
    ck_assert_msg(az_uuid_parse(s, strlen(s), &u, &bad), "rejected %s", s);
    return u;
}

START_TEST(test_spellings_are_equal)
{
    static const char *forms[] = {
        "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
        "3f2504E0-4f89-41D3-9a0c-0305E82c3301",
        "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}",
        "{3F2504E0-4F89-41D3-9A0C-0305E82C3301}",
        "urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "URN:UUID:3F2504E0-4F89-41D3-9A0C-0305E82C3301",
        "uRn:UuId:3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "3f2504e04f8941d39a0c0305e82c3301",
        "3F2504E04F8941D39A0C0305E82C3301",
    };
    struct az_uuid first = parse_ok(forms[0]);
    char text[37];
    size_t i;
    ck_assert(first.hi == UINT64_C(0x3f2504e04f8941d3));
    ck_assert(first.lo == UINT64_C(0x9a0c0305e82c3301));
    for (i = 1; i < sizeof forms / sizeof forms[0]; i++) {
        struct az_uuid u = parse_ok(forms[i]);
        ck_assert_msg(u.hi == first.hi && u.lo == first.lo, "%s", forms[i]);
    }
    az_uuid_format(&first, text);
    ck_assert_str_eq(text, forms[0]);
}
END_TEST

START_TEST(test_extremes)
{
    struct az_uuid u = parse_ok("00000000-0000-0000-0000-000000000000");
    char text[37];
    ck_assert(u.hi == 0 && u.lo == 0);
    u = parse_ok("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF");
    ck_assert(u.hi == UINT64_MAX && u.lo == UINT64_MAX);
    az_uuid_format(&u, text);
    ck_assert_str_eq(text, "ffffffff-ffff-ffff-ffff-ffffffffffff");
}
END_TEST

/* Every bad spelling, and the offset of its first bad byte. */
START_TEST(test_rejections)
{
    static const struct {
        const char *s;
        size_t bad;
    } cases[] = {
        {"", 0},
        {"3f2504e0", 0},
        {"3f2504e0-4f89-41d3-9a0c-0305e82c330", 0},
        {"3f2504e0-4f89-41d3-9a0c-0305e82c33011", 0},
        {"3f2504e0-4f89-41d3-9a0c-0305e82c330g", 35},
        {"g f2504e0-4f89-41d3-9a0c-0305e82c330", 0},
        {"3f2504e0_4f89-41d3-9a0c-0305e82c3301", 8},
        {"3f2504e0-4f89_41d3-9a0c-0305e82c3301", 13},
        {"3f2504e0-4f89-41d3_9a0c-0305e82c3301", 18},
        {"3f2504e0-4f89-41d3-9a0c_0305e82c3301", 23},
        {"3f2504e04-f89-41d3-9a0c-0305e82c3301", 8},
        {" 3f2504e0-4f89-41d3-9a0c-0305e82c330", 0},
        {"3f2504e0-4f89-41d3-9a0c-0305e82c330 ", 35},
        {"{3f2504e0-4f89-41d3-9a0c-0305e82c3301", 0},
        {"{3f2504e0-4f89-41d3-9a0c-0305e82c3301]", 37},
        {"[3f2504e0-4f89-41d3-9a0c-0305e82c3301}", 0},
        {"{3f2504e0-4f89-41d3-9a0c-0305e82cx301}", 33},
        {"{3f2504e04f8941d39a0c0305e82c3301}", 0},
        {"urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301x", 0},
        {"urn:uuix:3f2504e0-4f89-41d3-9a0c-0305e82c3301", 7},
        {"urn-uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301", 3},
        {"urn:uuid:3f2504e0-4f89-41d3-9a0c+0305e82c3301", 32},
        {"urn:uuid:{3f2504e0-4f89-41d3-9a0c-0305e82c3301}", 0},
        {"urn:uuid:3f2504e04f8941d39a0c0305e82c3301", 0},
        {"3f2504e04f8941d39a0c0305e82c330-", 31},
        {"3f2504e0-4f8941d39a0c0305e82c3301", 0},
        {"\xc3\xa9" "f2504e0-4f89-41d3-9a0c-0305e82c3301", 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct az_uuid u;
        size_t bad = 99;
        ck_assert_msg(!az_uuid_parse(cases[i].s, strlen(cases[i].s), &u,
                                     &bad),
                      "accepted %s", cases[i].s);
        ck_assert_msg(bad == cases[i].bad, "%s: bad at %zu, want %zu",
                      cases[i].s, bad, cases[i].bad);
    }
}
END_TEST

/* Every byte value in every digit position: only hex digits pass. */
START_TEST(test_every_byte)
{
    char s[37];
    int pos, c;
    for (pos = 0; pos < 36; pos++) {
        if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
            continue;
        for (c = 0; c < 256; c++) {
            struct az_uuid u;
            size_t bad;
            int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                      (c >= 'A' && c <= 'F');
            memcpy(s, W, 37);
            s[pos] = (char)c;
            ck_assert_int_eq(az_uuid_parse(s, 36, &u, &bad), hex);
            if (!hex)
                ck_assert_uint_eq(bad, (size_t)pos);
        }
    }
}
END_TEST

Suite *uuid_suite(void)
{
    Suite *s = suite_create("uuid");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_spellings_are_equal);
    tcase_add_test(tc, test_extremes);
    tcase_add_test(tc, test_rejections);
    tcase_add_test(tc, test_every_byte);
    suite_add_tcase(s, tc);
    return s;
}
