/* gen_residents — writes N valid, unique resident rows as CSV for import
 * benchmarks: 姓名,性别,身份证号,联系电话,社区,小区,楼栋,单元,室,与户主关系.
 *
 *   gen_residents N COMMUNITY_CODE... > residents.csv
 *
 * Three residents per dwelling, dwellings spread over the given communities,
 * estates, buildings, entrances and floors; ID numbers valid per GB 11643. */
#include <stdio.h>
#include <stdlib.h>

static char check_char(const char *d17) {
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int s = 0;
  for (int i = 0; i < 17; i++) s += (d17[i] - '0') * w[i];
  return "10X98765432"[s % 11];
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: gen_residents N COMMUNITY_CODE...\n");
    return 2;
  }
  long n = strtol(argv[1], NULL, 10);
  int ncomm = argc - 2;
  static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
  static const char *const given[] = {"英", "华", "文", "玉", "秀", "明", "丽", "兰", "红", "金",
                                      "伟", "芳", "静", "敏", "强", "军"};
  static const char *const rel[] = {"户主", "配偶", "子"};
  printf("姓名,性别,身份证号,联系电话,社区,小区,楼栋,单元,室,与户主关系\n");
  for (long i = 0; i < n; i++) {
    int k = (int)(i / 1000) % 1440;
    char id[19];
    snprintf(id, sizeof id, "141127%04d%02d%02d%03d", 1940 + k % 60, 1 + (k / 60) % 12,
             1 + k / 720, (int)(i % 1000));
    id[17] = check_char(id);
    id[18] = 0;
    long d = i / 3;
    printf("%s%s%s,%s,%s,1%d%09ld,%s,小区%ld,%ld号楼,%ld单元,%ld%02ld,%s\n", surnames[i % 10],
           given[i % 16], given[(i / 16) % 16], (id[16] - '0') % 2 ? "男" : "女", id,
           3 + (int)(i % 7), i, argv[2 + (d / 5000) % ncomm], d / 5000, d / 100 % 50 + 1,
           d / 20 % 5 + 1, d / 4 % 5 + 1, d % 4 + 1, rel[i % 3]);
  }
  return 0;
}
