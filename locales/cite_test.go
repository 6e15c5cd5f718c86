package locales_test

import (
	"strings"
	"testing"

	"github.com/redress-legal/redress/locales"
)

// TestPinpoint: every form of citation the default flow uses, written for
// readers in English and Chinese, without the source's name.
func TestPinpoint(t *testing.T) {
	cases := []struct{ cite, en, zh string }{
		{"S-28", "", ""},
		{"C-01", "", ""},
		{"PL-39", "", ""},
		{"S-11b", "", ""},
		{"S-01 Art. 17", "Art. 17", "第十七条"},
		{"S-01 Art. 98", "Art. 98", "第九十八条"},
		{"S-01 Art. 246", "Art. 246", "第二百四十六条"},
		{"S-01 Art. 246 ¶2", "Art. 246(2)", "第二百四十六条第二款"},
		{"S-01 Art. 253-1", "Art. 253-1", "第二百五十三条之一"},
		{"S-01 Art. 287-2", "Art. 287-2", "第二百八十七条之二"},
		{"S-02 Art. 2(1)", "Art. 2(i)", "第二条第（一）项"},
		{"S-02 Art. 2(3)", "Art. 2(iii)", "第二条第（三）项"},
		{"S-03 Art. 1 ¶3", "Art. 1(3)", "第一条第三款"},
		{"S-04 Art. 5 ¶2", "Art. 5(2)", "第五条第二款"},
		{"S-04 Art. 5(9)", "Art. 5(ix)", "第五条第（九）项"},
		{"S-05 Art. 10", "Art. 10", "第十条"},
		{"S-06 (I) Art. 1", "Art. 1", "第一条"},
		{"S-06 (I) Arts. 1, 3", "Arts. 1 and 3", "第一条、第三条"},
		{"S-06 (II) Art. 2 ¶2", "Art. 2(2)", "第二条第二款"},
		{"S-07 item 12", "item 12", "第十二条"},
		{"S-07 item 11", "item 11", "第十一条"},
		{"S-08 Art. 108(6)", "Art. 108(vi)", "第一百零八条第（六）项"},
		{"S-08 Art. 212", "Art. 212", "第二百一十二条"},
		{"S-09 Art. 175", "Art. 175", "第一百七十五条"},
		{"S-11a Art. 42(6)", "Art. 42(vi)", "第四十二条第（六）项"},
		{"S-11b Art. 50 ¶1(2)", "Art. 50(1)(ii)", "第五十条第一款第（二）项"},
		{"S-11b Art. 50 ¶2", "Art. 50(2)", "第五十条第二款"},
		{"S-11b Art. 116", "Art. 116", "第一百一十六条"},
		{"S-12 Art. 990", "Art. 990", "第九百九十条"},
		{"S-12 Art. 1000", "Art. 1000", "第一千条"},
		{"S-12 Art. 1019", "Art. 1019", "第一千零一十九条"},
		{"S-12 Art. 1195 ¶2", "Art. 1195(2)", "第一千一百九十五条第二款"},
		{"S-15 Interp. Art. 106", "Art. 106", "第一百零六条"},
		{"S-20 (2016) Art. 21(3)", "Art. 21(iii)", "第二十一条第（三）项"},
		{"S-20 (2016) Art. 64 ¶2", "Art. 64(2)", "第六十四条第二款"},
		{"S-20 (2025) Art. 71 ¶2", "Art. 71(2)", "第七十一条第二款"},
		{"S-07 items 11 and 12", "items 11 and 12", "第十一条、第十二条"},
		{"not a citation", "not a citation", "not a citation"},
	}
	for _, c := range cases {
		if got := locales.Pinpoint("en", c.cite); got != c.en {
			t.Errorf("Pinpoint(en, %q) = %q, want %q", c.cite, got, c.en)
		}
		if got := locales.Pinpoint("zh-Hans", c.cite); got != c.zh {
			t.Errorf("Pinpoint(zh-Hans, %q) = %q, want %q", c.cite, got, c.zh)
		}
	}
}

func TestNumeralAndRoman(t *testing.T) {
	zh := map[int]string{1: "一", 9: "九", 10: "十", 11: "十一", 19: "十九", 20: "二十", 21: "二十一", 99: "九十九",
		100: "一百", 101: "一百零一", 108: "一百零八", 110: "一百一十", 246: "二百四十六", 999: "九百九十九",
		1000: "一千", 1001: "一千零一", 1010: "一千零一十", 1025: "一千零二十五", 1100: "一千一百", 1195: "一千一百九十五",
		0: "0", 10000: "10000"}
	for n, want := range zh {
		if got := locales.Numeral(n); got != want {
			t.Errorf("Numeral(%d) = %q, want %q", n, got, want)
		}
	}
	roman := map[int]string{1: "i", 2: "ii", 3: "iii", 4: "iv", 5: "v", 6: "vi", 9: "ix", 10: "x", 14: "xiv", 39: "xxxix", 40: "40"}
	for n, want := range roman {
		if got := locales.Roman(n); got != want {
			t.Errorf("Roman(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseCiteRejects(t *testing.T) {
	for _, c := range []string{"", "S-02 Article 2", "S-02 Art. 2(1) extra", "s-02", "S-02 Arts. 1, 3 ¶2", "S-02 Art."} {
		if _, err := locales.ParseCite(c); err == nil {
			t.Errorf("ParseCite(%q) accepted it", c)
		}
	}
	for cite, want := range map[string]string{"S-20 (2016) Art. 21(3)": "cite.S-20 (2016)", "S-15 Interp. Art. 25": "cite.S-15 Interp.", "C-01": "cite.C-01", "S-11b Art. 50 ¶1(2)": "cite.S-11b", "bad one": ""} {
		if got := locales.NameID(cite); got != want {
			t.Errorf("NameID(%q) = %q, want %q", cite, got, want)
		}
	}
}

// TestCite: whole citations with the short names of the shipped catalogs,
// one source's pinpoints merged.
func TestCite(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		cites  []string
		en, zh string
	}{
		{[]string{"S-11b Art. 50 ¶1(2)"},
			"Public Security Administration Punishments Law Art. 50(1)(ii)", "《治安管理处罚法》第五十条第一款第（二）项"},
		{[]string{"S-20 (2016) Art. 21(3)"}, "Cybersecurity Law (2016) Art. 21(iii)", "《网络安全法》（2016年）第二十一条第（三）项"},
		{[]string{"S-20 (2025) Art. 23(3)", "S-13 Art. 3", "PL-40"},
			"Cybersecurity Law (2025) Art. 23(iii); Online Personal Rights Provisions Art. 3; Tencent data-request guide (2024)",
			"《网络安全法》（2025年修正）第二十三条第（三）项；《利用信息网络侵害人身权益规定》第三条；腾讯调证指引"},
		{[]string{"S-12 Art. 1195 ¶2", "S-12 Art. 1197"}, "Civil Code Arts. 1195(2) and 1197", "《民法典》第一千一百九十五条第二款、第一千一百九十七条"},
		{[]string{"S-01 Art. 246", "S-07", "S-07 item 12"}, "Criminal Law Art. 246; Cyber-Violence Guiding Opinions item 12", "《刑法》第二百四十六条；《网络暴力指导意见》第十二条"},
		{[]string{"S-02 Art. 2(1)", "C-01"}, "Online Defamation Interpretation Art. 2(i); SPP Guiding Case No. 137", "《网络诽谤解释》第二条第（一）项；检例第137号"},
		{[]string{"S-15 Art. 84", "S-15 Interp. Art. 25"}, "Civil Procedure Law Art. 84; Civil Procedure Interpretation Art. 25", "《民事诉讼法》第八十四条；《民诉法解释》第二十五条"},
		{[]string{"S-11a Art. 42(1)"}, "Public Security Administration Punishments Law (2012) Art. 42(i)", "《治安管理处罚法》（2012年修正）第四十二条第（一）项"},
		{[]string{"S-06 (I) Arts. 1, 3", "S-06 (II) Art. 2 ¶2"}, "Online Obscenity Interpretation (I) Arts. 1 and 3; Online Obscenity Interpretation (II) Art. 2(2)", "《淫秽电子信息解释（一）》第一条、第三条；《淫秽电子信息解释（二）》第二条第二款"},
	}
	for _, cs := range cases {
		if got := c.Cite("en", cs.cites); got != cs.en {
			t.Errorf("Cite(en, %q)\n got %q\nwant %q", cs.cites, got, cs.en)
		}
		if got := c.Cite("zh-Hans", cs.cites); got != cs.zh {
			t.Errorf("Cite(zh-Hans, %q)\n got %q\nwant %q", cs.cites, got, cs.zh)
		}
	}
}

func TestSourceEntry(t *testing.T) {
	c := mustLoad(t)
	for _, cs := range []struct {
		lang, id string
		cites    []string
		want     string
	}{
		{"en", "S-02", []string{"S-02 Art. 2(1)"}, "SPC and SPP Interpretation on Criminal Cases of Defamation etc. Committed via Information Networks (2013) — cited as “Online Defamation Interpretation”"},
		{"zh-Hans", "S-02", []string{"S-02 Art. 2(1)", "S-02 Art. 6"}, "最高人民法院、最高人民检察院《关于办理利用信息网络实施诽谤等刑事案件适用法律若干问题的解释》（2013年）（以下简称《网络诽谤解释》）"},
		{"zh-Hans", "C-01", nil, "最高人民检察院指导性案例检例第137号：郎某、何某诽谤案（杭州取快递女子被造谣案）"}, // the full name shows it
		{"zh-Hans", "S-10", []string{"S-10 Art. 171"}, "公安部《公安机关办理刑事案件程序规定》（2020年修正）"},
		{"en", "S-12", []string{"S-12 Art. 1195"}, "Civil Code (2020)"},
		{"zh-Hans", "S-15", []string{"S-15 Art. 84", "S-15 Interp. Art. 25"}, "（以下简称《民事诉讼法》、《民诉法解释》）"},
		{"en", "S-20", []string{"S-20 (2016) Art. 44", "S-20 (2025) Art. 46"}, "— cited as “Cybersecurity Law (2016)” and “Cybersecurity Law (2025)”"},
		{"zh-Hans", "S-28", []string{"S-28"}, "（以下简称“12356心理援助热线通知”）"},
		{"zh-Hant", "S-28", []string{"S-28"}, "（以下簡稱「12356心理援助熱線通知」）"},
	} {
		if got := c.SourceEntry(cs.lang, "source."+cs.id, cs.id, cs.cites); !strings.HasSuffix(got, cs.want) {
			t.Errorf("SourceEntry(%s, %s)\n got %q\nwant it to end %q", cs.lang, cs.id, got, cs.want)
		}
	}
}
