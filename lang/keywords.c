/* keywords.c — the one sorted list of Regula's keywords and their Chinese
 * aliases, searched by the scanner. Adding a keyword is one line here
 * (keep the list sorted by bytes; the unit tests check it). */
#include <string.h>

#include "parse.h"
#include "parser.h"

typedef struct {
    const char *word;
    int token;
} keyword;

static const keyword keywords[] = {
    {"all", ALL},
    {"and", AND},
    {"any", ANY},
    {"as", AS},
    {"below", BELOW},
    {"brackets", BRACKETS},
    {"by", BY},
    {"catalog", CATALOG},
    {"claim", CLAIM},
    {"count", COUNT},
    {"decide", DECIDE},
    {"def", DEF},
    {"else", ELSE},
    {"enum", ENUM},
    {"expect", EXPECT},
    {"extends", EXTENDS},
    {"extern", EXTERN},
    {"false", FALSE},
    {"first", FIRST},
    {"fn", FN},
    {"for", FOR},
    {"from", FROM},
    {"given", GIVEN},
    {"hit", HIT},
    {"if", IF},
    {"in", IN},
    {"key", KEY},
    {"last", LAST},
    {"ledger", LEDGER},
    {"list", LIST},
    {"none", NONE},
    {"nonempty", NONEMPTY},
    {"not", NOT},
    {"of", OF},
    {"only", ONLY},
    {"or", OR},
    {"otherwise", OTHERWISE},
    {"param", PARAM},
    {"policy", POLICY},
    {"record", RECORD},
    {"reject", REJECT},
    {"result", RESULT},
    {"sample", SAMPLE},
    {"select", SELECT},
    {"sum", SUM},
    {"table", TABLE},
    {"test", TEST},
    {"then", THEN},
    {"true", TRUE},
    {"unique", UNIQUE},
    {"until", UNTIL},
    {"update", UPDATE},
    {"version", VERSION},
    {"when", WHEN},
    {"where", WHERE},
    {"\xe4\xb8\x94", AND},  /* 且 */
    {"\xe4\xbb\x8e", FROM},  /* 从 */
    {"\xe5\x81\x87", FALSE},  /* 假 */
    {"\xe5\x85\xb6\xe4\xbb\x96", OTHERWISE},  /* 其他 */
    {"\xe5\x86\xb3\xe7\xad\x96", DECIDE},  /* 决策 */
    {"\xe5\x88\x86\xe6\xae\xb5", BRACKETS},  /* 分段 */
    {"\xe5\x88\x99", THEN},  /* 则 */
    {"\xe5\x8f\x82\xe6\x95\xb0", PARAM},  /* 参数 */
    {"\xe5\x8f\xb0\xe8\xb4\xa6", LEDGER},  /* 台账 */
    {"\xe5\x90\xa6\xe5\x88\x99", ELSE},  /* 否则 */
    {"\xe5\xa6\x82\xe6\x9e\x9c", IF},  /* 如果 */
    {"\xe5\xae\x9a\xe4\xb9\x89", DEF},  /* 定义 */
    {"\xe5\xbd\x93", WHEN},  /* 当 */
    {"\xe6\x88\x96", OR},  /* 或 */
    {"\xe6\x8b\x92\xe7\xbb\x9d", REJECT},  /* 拒绝 */
    {"\xe6\x94\xbf\xe7\xad\x96", POLICY},  /* 政策 */
    {"\xe6\x97\xa0", NONE},  /* 无 */
    {"\xe6\x9b\xb4\xe6\x96\xb0", UPDATE},  /* 更新 */
    {"\xe6\x9c\x9f\xe6\x9c\x9b", EXPECT},  /* 期望 */
    {"\xe6\xb1\x82\xe5\x92\x8c", SUM},  /* 求和 */
    {"\xe6\xb5\x8b\xe8\xaf\x95", TEST},  /* 测试 */
    {"\xe7\x89\x88\xe6\x9c\xac", VERSION},  /* 版本 */
    {"\xe7\x9b\xae\xe5\xbd\x95", CATALOG},  /* 目录 */
    {"\xe7\x9c\x9f", TRUE},  /* 真 */
    {"\xe7\xbb\x93\xe6\x9e\x9c", RESULT},  /* 结果 */
    {"\xe7\xbb\x99\xe5\xae\x9a", GIVEN},  /* 给定 */
    {"\xe7\xbb\xa7\xe6\x89\xbf", EXTENDS},  /* 继承 */
    {"\xe8\x87\xb3", UNTIL},  /* 至 */
    {"\xe8\xa1\xa8", TABLE},  /* 表 */
    {"\xe8\xa7\x84\xe5\x88\x99", DEF},  /* 规则 */
    {"\xe9\x9d\x9e", NOT},  /* 非 */
};

int rg_keyword(const char *s, size_t len)
{
    size_t lo = 0, hi = sizeof keywords / sizeof keywords[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *w = keywords[mid].word;
        size_t wl = strlen(w);
        int c = memcmp(s, w, len < wl ? len : wl);
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
    for (size_t i = 1; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(keywords[i - 1].word, keywords[i].word) >= 0)
            return 0;
    return 1;
}
