/*
 * A32/T32 multiplies (32/64-bit, DSP halfword/word forms, dual, most-significant), integer divide
 * (incl. by zero and INT_MIN/-1), saturation, parallel add/subtract with GE and SEL, packing,
 * extends with and without add/rotation, bit-field and bit-reversal ops, USAD8.
 */
#include "sweep.h"

OP3(o_mul, "mul %[d], %[a], %[b]")
OP3(o_mla, "mla %[d], %[a], %[b], %[c]")
OP3(o_mls, "mls %[d], %[a], %[b], %[c]")
OP64(o_umull, "umull %[lo], %[hi], %[a], %[b]")
OP64(o_smull, "smull %[lo], %[hi], %[a], %[b]")
OP64(o_umlal, "umlal %[lo], %[hi], %[a], %[b]")
OP64(o_smlal, "smlal %[lo], %[hi], %[a], %[b]")
OP64(o_umaal, "umaal %[lo], %[hi], %[a], %[b]")
OP3(o_smulbb, "smulbb %[d], %[a], %[b]")
OP3(o_smulbt, "smulbt %[d], %[a], %[b]")
OP3(o_smultb, "smultb %[d], %[a], %[b]")
OP3(o_smultt, "smultt %[d], %[a], %[b]")
OP3(o_smlabb, "smlabb %[d], %[a], %[b], %[c]")
OP3(o_smlatt, "smlatt %[d], %[a], %[b], %[c]")
OP3(o_smulwb, "smulwb %[d], %[a], %[b]")
OP3(o_smulwt, "smulwt %[d], %[a], %[b]")
OP3(o_smlawb, "smlawb %[d], %[a], %[b], %[c]")
OP3(o_smlawt, "smlawt %[d], %[a], %[b], %[c]")
OP64(o_smlalbb, "smlalbb %[lo], %[hi], %[a], %[b]")
OP64(o_smlaltb, "smlaltb %[lo], %[hi], %[a], %[b]")
OP3(o_smuad, "smuad %[d], %[a], %[b]")
OP3(o_smuadx, "smuadx %[d], %[a], %[b]")
OP3(o_smusd, "smusd %[d], %[a], %[b]")
OP3(o_smusdx, "smusdx %[d], %[a], %[b]")
OP3(o_smlad, "smlad %[d], %[a], %[b], %[c]")
OP3(o_smladx, "smladx %[d], %[a], %[b], %[c]")
OP3(o_smlsd, "smlsd %[d], %[a], %[b], %[c]")
OP3(o_smlsdx, "smlsdx %[d], %[a], %[b], %[c]")
OP64(o_smlald, "smlald %[lo], %[hi], %[a], %[b]")
OP64(o_smlsldx, "smlsldx %[lo], %[hi], %[a], %[b]")
OP3(o_smmul, "smmul %[d], %[a], %[b]")
OP3(o_smmulr, "smmulr %[d], %[a], %[b]")
OP3(o_smmla, "smmla %[d], %[a], %[b], %[c]")
OP3(o_smmlar, "smmlar %[d], %[a], %[b], %[c]")
OP3(o_smmls, "smmls %[d], %[a], %[b], %[c]")
OP3(o_smmlsr, "smmlsr %[d], %[a], %[b], %[c]")
OP3(o_sdiv, "sdiv %[d], %[a], %[b]")
OP3(o_udiv, "udiv %[d], %[a], %[b]")
OP3(o_qadd, "qadd %[d], %[a], %[b]")
OP3(o_qsub, "qsub %[d], %[a], %[b]")
OP3(o_qdadd, "qdadd %[d], %[a], %[b]")
OP3(o_qdsub, "qdsub %[d], %[a], %[b]")
OP3(o_ssat, "ssat %[d], #16, %[a], lsl #3")
OP3(o_ssat1, "ssat %[d], #1, %[a]")
OP3(o_usat, "usat %[d], #8, %[a], asr #4")
OP3(o_usat31, "usat %[d], #31, %[a]")
OP3(o_ssat16, "ssat16 %[d], #9, %[a]")
OP3(o_usat16, "usat16 %[d], #7, %[a]")
OP3(o_sadd8, "sadd8 %[d], %[a], %[b]")
OP3(o_sadd16, "sadd16 %[d], %[a], %[b]")
OP3(o_ssub8, "ssub8 %[d], %[a], %[b]")
OP3(o_ssub16, "ssub16 %[d], %[a], %[b]")
OP3(o_sasx, "sasx %[d], %[a], %[b]")
OP3(o_ssax, "ssax %[d], %[a], %[b]")
OP3(o_uadd8, "uadd8 %[d], %[a], %[b]")
OP3(o_uadd16, "uadd16 %[d], %[a], %[b]")
OP3(o_usub8, "usub8 %[d], %[a], %[b]")
OP3(o_usub16, "usub16 %[d], %[a], %[b]")
OP3(o_uasx, "uasx %[d], %[a], %[b]")
OP3(o_usax, "usax %[d], %[a], %[b]")
OP3(o_qadd8, "qadd8 %[d], %[a], %[b]")
OP3(o_qsub16, "qsub16 %[d], %[a], %[b]")
OP3(o_qasx, "qasx %[d], %[a], %[b]")
OP3(o_uqadd8, "uqadd8 %[d], %[a], %[b]")
OP3(o_uqsub16, "uqsub16 %[d], %[a], %[b]")
OP3(o_uqsax, "uqsax %[d], %[a], %[b]")
OP3(o_shadd8, "shadd8 %[d], %[a], %[b]")
OP3(o_shsub16, "shsub16 %[d], %[a], %[b]")
OP3(o_shasx, "shasx %[d], %[a], %[b]")
OP3(o_uhadd16, "uhadd16 %[d], %[a], %[b]")
OP3(o_uhsub8, "uhsub8 %[d], %[a], %[b]")
OP3(o_uhsax, "uhsax %[d], %[a], %[b]")
OP3(o_sel, "usub8 %[d], %[a], %[b]\n\tsel %[d], %[a], %[b]")
OP3(o_sel2, "sel %[d], %[a], %[b]")
OP3(o_pkhbt, "pkhbt %[d], %[a], %[b], lsl #5")
OP3(o_pkhtb, "pkhtb %[d], %[a], %[b], asr #7")
OP3(o_pkhtb32, "pkhtb %[d], %[a], %[b], asr #31")
OP3(o_sxtb, "sxtb %[d], %[a], ror #8")
OP3(o_sxth, "sxth %[d], %[a]")
OP3(o_uxtb, "uxtb %[d], %[a], ror #24")
OP3(o_uxth, "uxth %[d], %[a], ror #16")
OP3(o_sxtb16, "sxtb16 %[d], %[a], ror #8")
OP3(o_uxtb16, "uxtb16 %[d], %[a]")
OP3(o_sxtab, "sxtab %[d], %[b], %[a], ror #16")
OP3(o_sxtah, "sxtah %[d], %[b], %[a]")
OP3(o_uxtab, "uxtab %[d], %[b], %[a]")
OP3(o_uxtah, "uxtah %[d], %[b], %[a], ror #8")
OP3(o_sxtab16, "sxtab16 %[d], %[b], %[a]")
OP3(o_uxtab16, "uxtab16 %[d], %[b], %[a], ror #24")
OP3(o_clz, "clz %[d], %[a]")
OP3(o_rbit, "rbit %[d], %[a]")
OP3(o_rev, "rev %[d], %[a]")
OP3(o_rev16, "rev16 %[d], %[a]")
OP3(o_revsh, "revsh %[d], %[a]")
OP3(o_bfi, "bfi %[d], %[a], #5, #11")
OP3(o_bfc, "bfc %[d], #3, #20")
OP3(o_ubfx, "ubfx %[d], %[a], #7, #13")
OP3(o_sbfx, "sbfx %[d], %[a], #20, #12")
OP3(o_usad8, "usad8 %[d], %[a], %[b]")
OP3(o_usada8, "usada8 %[d], %[a], %[b], %[c]")
#ifdef __thumb__
OP3(o_isa1, "muls %[d], %[d], %[d]")
#else
OP3(o_isa1, "mlas %[d], %[a], %[b], %[c]")
#endif
OP64(o_umulls_cc, "cmp %[a], %[b]\n\tit hi\n\tumullhi %[lo], %[hi], %[a], %[b]")

static const struct named_op3 OPS[] = {
    {"mul", o_mul}, {"mla", o_mla}, {"mls", o_mls}, {"umull", o_umull}, {"smull", o_smull},
    {"umlal", o_umlal}, {"smlal", o_smlal}, {"umaal", o_umaal}, {"smulbb", o_smulbb},
    {"smulbt", o_smulbt}, {"smultb", o_smultb}, {"smultt", o_smultt}, {"smlabb", o_smlabb},
    {"smlatt", o_smlatt}, {"smulwb", o_smulwb}, {"smulwt", o_smulwt}, {"smlawb", o_smlawb},
    {"smlawt", o_smlawt}, {"smlalbb", o_smlalbb}, {"smlaltb", o_smlaltb}, {"smuad", o_smuad},
    {"smuadx", o_smuadx}, {"smusd", o_smusd}, {"smusdx", o_smusdx}, {"smlad", o_smlad},
    {"smladx", o_smladx}, {"smlsd", o_smlsd}, {"smlsdx", o_smlsdx}, {"smlald", o_smlald},
    {"smlsldx", o_smlsldx}, {"smmul", o_smmul}, {"smmulr", o_smmulr}, {"smmla", o_smmla},
    {"smmlar", o_smmlar}, {"smmls", o_smmls}, {"smmlsr", o_smmlsr}, {"sdiv", o_sdiv},
    {"udiv", o_udiv}, {"qadd", o_qadd}, {"qsub", o_qsub}, {"qdadd", o_qdadd}, {"qdsub", o_qdsub},
    {"ssat", o_ssat}, {"ssat1", o_ssat1}, {"usat", o_usat}, {"usat31", o_usat31},
    {"ssat16", o_ssat16}, {"usat16", o_usat16}, {"sadd8", o_sadd8}, {"sadd16", o_sadd16},
    {"ssub8", o_ssub8}, {"ssub16", o_ssub16}, {"sasx", o_sasx}, {"ssax", o_ssax},
    {"uadd8", o_uadd8}, {"uadd16", o_uadd16}, {"usub8", o_usub8}, {"usub16", o_usub16},
    {"uasx", o_uasx}, {"usax", o_usax}, {"qadd8", o_qadd8}, {"qsub16", o_qsub16},
    {"qasx", o_qasx}, {"uqadd8", o_uqadd8}, {"uqsub16", o_uqsub16}, {"uqsax", o_uqsax},
    {"shadd8", o_shadd8}, {"shsub16", o_shsub16}, {"shasx", o_shasx}, {"uhadd16", o_uhadd16},
    {"uhsub8", o_uhsub8}, {"uhsax", o_uhsax}, {"sel", o_sel}, {"sel-ge", o_sel2},
    {"pkhbt", o_pkhbt}, {"pkhtb", o_pkhtb}, {"pkhtb32", o_pkhtb32}, {"sxtb", o_sxtb},
    {"sxth", o_sxth}, {"uxtb", o_uxtb}, {"uxth", o_uxth}, {"sxtb16", o_sxtb16},
    {"uxtb16", o_uxtb16}, {"sxtab", o_sxtab}, {"sxtah", o_sxtah}, {"uxtab", o_uxtab},
    {"uxtah", o_uxtah}, {"sxtab16", o_sxtab16}, {"uxtab16", o_uxtab16}, {"clz", o_clz},
    {"rbit", o_rbit}, {"rev", o_rev}, {"rev16", o_rev16}, {"revsh", o_revsh}, {"bfi", o_bfi},
    {"bfc", o_bfc}, {"ubfx", o_ubfx}, {"sbfx", o_sbfx}, {"usad8", o_usad8}, {"usada8", o_usada8},
    {"isa1", o_isa1}, {"umull-cc", o_umulls_cc},
};

int main(void)
{
#ifdef __thumb__
    put_str("mul-media t32\n");
#else
    put_str("mul-media a32\n");
#endif
    sweep3(OPS, sizeof OPS / sizeof OPS[0]);
    return 0;
}
