/* keywords.c — the one sorted list of Regula's keywords and their Chinese
 * aliases, searched by the scanner. Adding a keyword is one line here
 * (keep the list sorted by bytes; the unit tests check it). */
#include <string.h>

#include "parse.h"
#include "parser.h"

typedef struct {
    const char *word;
    size_t len;
    int token;
} keyword;

#define K(word, token) {word, sizeof word - 1, token}
/* no keyword is longer (rg_keywords_sorted checks): most names are, and are no keyword at once */
#define KEYWORD_MAX_LEN 9

static const keyword keywords[] = {
    K("all", ALL),
    K("and", AND),
    K("any", ANY),
    K("as", AS),
    K("below", BELOW),
    K("brackets", BRACKETS),
    K("by", BY),
    K("catalog", CATALOG),
    K("claim", CLAIM),
    K("count", COUNT),
    K("decide", DECIDE),
    K("def", DEF),
    K("else", ELSE),
    K("enum", ENUM),
    K("expect", EXPECT),
    K("extends", EXTENDS),
    K("extern", EXTERN),
    K("false", FALSE),
    K("first", FIRST),
    K("fn", FN),
    K("for", FOR),
    K("from", FROM),
    K("given", GIVEN),
    K("hit", HIT),
    K("if", IF),
    K("in", IN),
    K("key", KEY),
    K("last", LAST),
    K("ledger", LEDGER),
    K("list", LIST),
    K("none", NONE),
    K("nonempty", NONEMPTY),
    K("not", NOT),
    K("of", OF),
    K("only", ONLY),
    K("or", OR),
    K("otherwise", OTHERWISE),
    K("param", PARAM),
    K("policy", POLICY),
    K("record", RECORD),
    K("reject", REJECT),
    K("result", RESULT),
    K("sample", SAMPLE),
    K("select", SELECT),
    K("sum", SUM),
    K("table", TABLE),
    K("test", TEST),
    K("then", THEN),
    K("true", TRUE),
    K("unique", UNIQUE),
    K("until", UNTIL),
    K("update", UPDATE),
    K("version", VERSION),
    K("when", WHEN),
    K("where", WHERE),
    K("\xe4\xb8\x94", AND),  /* 且 */
    K("\xe4\xbb\x8e", FROM),  /* 从 */
    K("\xe5\x81\x87", FALSE),  /* 假 */
    K("\xe5\x85\xb6\xe4\xbb\x96", OTHERWISE),  /* 其他 */
    K("\xe5\x86\xb3\xe7\xad\x96", DECIDE),  /* 决策 */
    K("\xe5\x88\x86\xe6\xae\xb5", BRACKETS),  /* 分段 */
    K("\xe5\x88\x99", THEN),  /* 则 */
    K("\xe5\x8f\x82\xe6\x95\xb0", PARAM),  /* 参数 */
    K("\xe5\x8f\xb0\xe8\xb4\xa6", LEDGER),  /* 台账 */
    K("\xe5\x90\xa6\xe5\x88\x99", ELSE),  /* 否则 */
    K("\xe5\xa6\x82\xe6\x9e\x9c", IF),  /* 如果 */
    K("\xe5\xae\x9a\xe4\xb9\x89", DEF),  /* 定义 */
    K("\xe5\xbd\x93", WHEN),  /* 当 */
    K("\xe6\x88\x96", OR),  /* 或 */
    K("\xe6\x8b\x92\xe7\xbb\x9d", REJECT),  /* 拒绝 */
    K("\xe6\x94\xbf\xe7\xad\x96", POLICY),  /* 政策 */
    K("\xe6\x97\xa0", NONE),  /* 无 */
    K("\xe6\x9b\xb4\xe6\x96\xb0", UPDATE),  /* 更新 */
    K("\xe6\x9c\x9f\xe6\x9c\x9b", EXPECT),  /* 期望 */
    K("\xe6\xb1\x82\xe5\x92\x8c", SUM),  /* 求和 */
    K("\xe6\xb5\x8b\xe8\xaf\x95", TEST),  /* 测试 */
    K("\xe7\x89\x88\xe6\x9c\xac", VERSION),  /* 版本 */
    K("\xe7\x9b\xae\xe5\xbd\x95", CATALOG),  /* 目录 */
    K("\xe7\x9c\x9f", TRUE),  /* 真 */
    K("\xe7\xbb\x93\xe6\x9e\x9c", RESULT),  /* 结果 */
    K("\xe7\xbb\x99\xe5\xae\x9a", GIVEN),  /* 给定 */
    K("\xe7\xbb\xa7\xe6\x89\xbf", EXTENDS),  /* 继承 */
    K("\xe8\x87\xb3", UNTIL),  /* 至 */
    K("\xe8\xa1\xa8", TABLE),  /* 表 */
    K("\xe8\xa7\x84\xe5\x88\x99", DEF),  /* 规则 */
    K("\xe9\x9d\x9e", NOT),  /* 非 */
};

int rg_keyword(const char *s, size_t len)
{
    size_t lo = 0, hi = sizeof keywords / sizeof keywords[0];
    if (len > KEYWORD_MAX_LEN)
        return -1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *w = keywords[mid].word;
        size_t wl = keywords[mid].len;
        /* the first bytes decide most steps without a call */
        int c = len == 0 ? -1 : (unsigned char)s[0] - (unsigned char)w[0];
        if (c == 0)
            c = memcmp(s, w, len < wl ? len : wl);
        if (c == 0)
            c = len < wl ? -1 : len > wl ? 1 : 0;
        if (c == 0)
            return keywords[mid].token;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

const char *rg_keyword_at(size_t i)
{
    return i < sizeof keywords / sizeof keywords[0] ? keywords[i].word : NULL;
}

int rg_keywords_sorted(void)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].len > KEYWORD_MAX_LEN || (i > 0 && strcmp(keywords[i - 1].word, keywords[i].word) >= 0))
            return 0;
    return 1;
}
