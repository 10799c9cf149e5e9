/* campaign.h — campaigns (专项工作): the rules, with no I/O.
 *
 * A campaign picks its population by a query over the ledger and walks each
 * item (a person or a household) through the campaign's own ordered stages,
 * e.g. mass testing: to sample → sampled → sent → tested → reported
 * (采、送、检、报). An item's stage is an index 0..nstages-1; 0 is the first
 * stage ("nothing done yet") and nstages-1 means done. "Reached stage k"
 * means stage ≥ k, so completion per stage is cumulative.
 *
 * This module holds: the query form and its parser, the match of a person
 * against a query on a reference date, stage lists and templates, the rule
 * for moving an item, and the roll-up of item counts to every unit of every
 * level with rankings. The store and the CLI/HTTP layers call it; it never
 * reads a clock or a file (the reference date is a parameter).
 *
 * The query form (docs/data-formats.md): terms separated by spaces, all of
 * which must hold:
 *   tag=退役军人          carries the tag (code or Chinese/English name; the
 *                         caller resolves names to codes)
 *   tag!=vaccinated       does not carry the tag
 *   age>=60 age<80        age in whole years on the reference date
 *                         (operators = != < <= > >=)
 *   sex=F | sex=女        M/F, 男/女
 *   residence=registered  registered/resident/floating, 户籍/常住/流动
 *   grid=CODE[,CODE…]     in any of these grids (14/16/18 digits, any level)
 *   division=CODE[,CODE…] in any of these divisions (12 digits: a county,
 *                         township or community and everything below)
 * An empty query selects everyone. A household campaign selects every
 * household with at least one active member who matches. */
#ifndef WG_CAMPAIGN_H
#define WG_CAMPAIGN_H

#include <stdint.h>

#include "util/err.h"

enum {
  WG_CAMPAIGN_MAX_STAGES = 8,
  WG_CAMPAIGN_MAX_TERMS = 16, /* tags, excluded tags, grids, divisions (each) */
};

typedef enum wg_item_kind {
  WG_ITEM_PERSON = 1,
  WG_ITEM_HOUSEHOLD = 2,
} wg_item_kind;

const char *wg_item_kind_name(wg_item_kind k); /* "person", "household" */
wg_err wg_item_kind_parse(const char *word, wg_item_kind *out) WG_MUST_CHECK;

/* ---- the query --------------------------------------------------------- */

typedef struct wg_campaign_query {
  int ntags;
  char tags[WG_CAMPAIGN_MAX_TERMS][32];      /* must carry each */
  int nnot;
  char not_tags[WG_CAMPAIGN_MAX_TERMS][32];  /* must carry none */
  int age_min, age_max;                      /* inclusive; -1 = unbounded */
  char sex;                                  /* 'M', 'F' or 0 = any */
  int residence;                             /* wg_residence, 0 = any */
  int ngrids;
  char grids[WG_CAMPAIGN_MAX_TERMS][19];     /* any of */
  int ndivisions;
  char divisions[WG_CAMPAIGN_MAX_TERMS][19]; /* any of (12 digits) */
} wg_campaign_query;

/* Parses text (NULL or "" = everyone) into q. WG_EINVAL with ei->field =
 * the term ("age>=x"), ei->why saying what is wrong and what is accepted.
 * Contradictions (age>=80 age<60) are refused too. Tag words are kept as
 * written: the caller resolves them (the ledger knows the tags). */
wg_err wg_campaign_query_parse(const char *text, wg_campaign_query *q, wg_errinfo *ei)
    WG_MUST_CHECK;

/* The canonical text of q (parses back to the same query), bounded. */
void wg_campaign_query_format(const wg_campaign_query *q, char *buf, size_t cap);

/* A person as the query sees them. */
typedef struct wg_campaign_subject {
  char sex;                 /* 'M' / 'F' */
  int32_t birth;            /* yyyymmdd */
  int residence;            /* wg_residence */
  const char *tags;         /* ",a,b," or "" */
  const char *community;    /* 12-digit code, "" when unknown */
  const char *grid[3];      /* level-1..3 grid codes, "" / NULL when none */
} wg_campaign_subject;

/* Whole years of age on ref (both yyyymmdd); a birthday on 29 February is
 * reached on 1 March in other years. */
int wg_age_on(int32_t birth, int32_t ref);

/* 1 when p matches every term of q on reference date ref. */
int wg_campaign_query_match(const wg_campaign_query *q, const wg_campaign_subject *p, int32_t ref);

/* ---- stages and templates ----------------------------------------------- */

typedef struct wg_campaign_stage {
  char code[24];            /* [a-z0-9_], e.g. "sampled" */
  char name_zh[32];
  char name_en[32];
  int needs_note;           /* reaching it needs a note (a receipt number) */
} wg_campaign_stage;

typedef struct wg_campaign_stages {
  int n;                    /* 2..WG_CAMPAIGN_MAX_STAGES */
  wg_campaign_stage s[WG_CAMPAIGN_MAX_STAGES];
} wg_campaign_stages;

/* Parses "code:中文:English,code:中文:English,…" (names optional: "code"
 * alone uses the code as both names; a fourth part "receipt" means reaching
 * the stage needs a note, e.g. the policy push's 已办结 with its receipt
 * number). 2..8 stages, unique codes of [a-z0-9_] (1..23 chars), names
 * without ',' or ':'. WG_EINVAL with ei->field = "stages" and the reason. */
wg_err wg_campaign_stages_parse(const char *text, wg_campaign_stages *out, wg_errinfo *ei)
    WG_MUST_CHECK;
/* The text form parsed above, bounded. */
void wg_campaign_stages_format(const wg_campaign_stages *st, char *buf, size_t cap);
/* The index of a stage given by code, Chinese or English name, or number
 * (0-based); -1 when none. */
int wg_campaign_stage_find(const wg_campaign_stages *st, const char *word);

typedef struct wg_campaign_template {
  const char *code;         /* "testing", "vaccination", "policy", "visit" */
  const char *name_zh, *name_en;
  wg_item_kind kind;
  const char *query;        /* default population ("" = everyone) */
  const char *stages;       /* stages text */
} wg_campaign_template;

int wg_campaign_template_count(void);
const wg_campaign_template *wg_campaign_template_at(int i);
/* By code; NULL when unknown. */
const wg_campaign_template *wg_campaign_template_find(const char *code);

/* The rule for moving an item from stage `from` to `to`: forward moves
 * (skipping stages is allowed: a lab sheet saying "tested" implies "sent")
 * are WG_OK; to == from is WG_EEXIST (nothing to do); backward moves are a
 * correction, WG_OK only with correct set, else WG_ECONFLICT; a stage out
 * of range is WG_EINVAL. ei->why says which. */
wg_err wg_campaign_move_check(int nstages, int from, int to, int correct, wg_errinfo *ei)
    WG_MUST_CHECK;

/* ---- roll-up ----------------------------------------------------------- */

/* Levels of the roll-up, outermost division first, then the grids. */
typedef enum wg_rollup_level {
  WG_RL_COUNTY = 0,
  WG_RL_TOWNSHIP,
  WG_RL_COMMUNITY,
  WG_RL_GRID1,
  WG_RL_GRID2,
  WG_RL_GRID3,
  WG_RL_COUNT_
} wg_rollup_level;

const char *wg_rollup_level_name(wg_rollup_level l); /* "county", …, "grid3" */
wg_err wg_rollup_level_parse(const char *word, wg_rollup_level *out) WG_MUST_CHECK;

/* A group of items counted together: `count` items at exactly `stage`,
 * belonging to unit[l] at each level (an index into the units, -1 = none
 * at that level, e.g. a household outside every grid). */
typedef struct wg_rollup_group {
  int unit[WG_RL_COUNT_];
  int stage;
  long count;
} wg_rollup_group;

/* One unit's figures: reached[k] = items at stage ≥ k (reached[0] is the
 * total), done = reached[nstages-1]; rank among the units of its level by
 * done share (1 = best; ties by done count, then code); per-mille shares
 * are computed by the caller from these counts. */
typedef struct wg_rollup_unit {
  char code[19];
  char name[96];
  wg_rollup_level level;
  long reached[WG_CAMPAIGN_MAX_STAGES];
  int rank;
} wg_rollup_unit;

/* Counts groups into units[0..nunits) (whose code, name and level the
 * caller set; reached and rank are overwritten) and ranks each level.
 * Units of a level with no items rank last (share 0). O(groups × levels +
 * units log units). WG_EINVAL for a group whose stage or unit index is out
 * of range. */
wg_err wg_rollup_compute(wg_rollup_unit *units, int nunits, int nstages,
                         const wg_rollup_group *groups, long ngroups) WG_MUST_CHECK;

/* Done share of a unit in hundredths of a percent, rounded half up
 * (e.g. 2 of 3 → 6667 = 66.67%); 0 when it has no items. */
long wg_rollup_share(const wg_rollup_unit *u, int nstages, int stage);

#endif
