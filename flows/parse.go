package flows

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file reads answers as people type them: numbers, dates and "I don't
// know", in English and Chinese. Everything relative ("yesterday", "3 weeks
// ago") is relative to the input's Now, in China time.

func toASCIIDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// simplified maps the Traditional form of each character the words below
// use to its Simplified form, so that 1.2萬, 大約一萬兩千, 上週六 and 不確定
// read as 1.2万, 大约一万两千, 上周六 and 不确定 (OpenCC's Simplified →
// Traditional table, reversed for these characters; 裡 is Taiwan's 裏).
var simplified = map[rune]rune{'萬': '万', '兩': '两', '個': '个', '箇': '个', '瞭': '了', '於': '于', '億': '亿', '餘': '余', '淩': '凌', '幾': '几', '韆': '千', '發': '发', '髮': '发', '號': '号', '後': '后', '週': '周', '賙': '周', '塊': '块', '將': '将', '應': '应', '張': '张', '時': '时', '曉': '晓', '條': '条', '來': '来', '沒': '没', '瀏': '浏', '碼': '码', '確': '确', '禮': '礼', '約': '约', '覽': '览', '計': '计', '記': '记', '許': '许', '該': '该', '說': '说', '轉': '转', '過': '过', '這': '这', '裏': '里', '裡': '里', '錢': '钱', '從': '从', '傳': '传', '開': '开', '樣': '样', '現': '现', '結': '结', '繼': '继', '續': '续', '覺': '觉', '還': '还', '罵': '骂'}

// fold is s trimmed and lower-cased, full-width letters, digits and signs
// made ASCII, curly apostrophes straight, Traditional characters
// Simplified (see simplified) and runs of spaces one space.
func fold(s string) string {
	s = strings.Map(func(r rune) rune {
		if h, ok := simplified[r]; ok {
			return h
		}
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == '’' || r == '‘':
			r = '\''
		case r == '\u3000':
			r = ' '
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// cutAny removes the first of prefixes s starts with.
func cutAny(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if t, ok := strings.CutPrefix(s, p); ok {
			return strings.TrimSpace(t), true
		}
	}
	return s, false
}

// cutAnySuffix removes the first of suffixes s ends with.
func cutAnySuffix(s string, suffixes ...string) (string, bool) {
	for _, p := range suffixes {
		if t, ok := strings.CutSuffix(s, p); ok {
			return strings.TrimSpace(t), true
		}
	}
	return s, false
}

// NumberReading is a typed number as it was understood.
type NumberReading struct {
	Value int64
	// Plain: written in digits (5000, 5,000, 5 000), nothing to say back.
	Plain bool
	// AtLeast: a lower bound ("一千多", "over 5k", "5000+"); Value is the
	// bound, and the reply says so.
	AtLeast bool
	// Vague: a rough amount with no number in it ("几十个", "a few
	// dozen"); Value is 0 and the person is asked for a best guess.
	Vague bool
}

// Words around a number: what it counts, how sure it is.
var (
	numApprox  = []string{"approximately ", "approx. ", "approx.", "approx ", "about ", "around ", "roughly ", "maybe ", "probably ", "almost ", "nearly ", "close to ", "like ", "~", "≈", "约莫", "大约", "大概", "差不多", "将近", "接近", "估计", "可能", "应该", "约", "近"}
	numAtLeast = []string{"more than ", "over ", "above ", "at least ", "upwards of ", ">=", ">", "超过", "至少", "不止", "不少于", "起码", "多于", "高于"}
	numSuffix  = []string{" or more", " or so", " plus", "ish", "+", "以上", "左右", "上下", "来", "多", "余", "几"}
	// Hedges around a number that change nothing: "三四个吧", "I think 200".
	numHedgePre  = []string{"i think ", "i guess ", "i believe ", "好像是", "好像", "感觉有", "感觉", "应该是", "大概有", "大约有", "差不多有", "有"}
	numHedgeSuf  = []string{" i think", " i guess", " i believe", "的样子", "的样子吧", "吧", "啊", "呢", "呀", "吧应该"}
	numRangeExpr = regexp.MustCompile(`^(\d[\d,]*(?:\.\d+)?)\s*(?:-|–|—|~|～|to|or|到|至)\s*(\d[\d,]*(?:\.\d+)?)\s*(k|w|万|千|thousand|million|m)?$`)
	numUnits     = []string{" views", " view", " times", " reposts", " repost", " shares", " share", " people", " persons", " yuan", " rmb", "rmb", "次浏览", "次转发", "人次", "次", "个", "人", "条", "元", "块钱", "块", "遍", "份", "张"}
	vagueWords   = []string{"a few dozen", "few dozen", "dozens", "a few hundred", "hundreds", "a few thousand", "thousands", "a lot", "lots", "many", "several", "some", "a few", "成千上万", "很多", "好多", "不少", "许多", "一些"}
)

// ReadNumber reads a whole, non-negative number as people type it: "5000",
// "8,000", "8k", "1.2万", "八千", "一万二", "约8000", "about 200" (the number),
// "一千多", "over 5k", "3千多" (a lower bound), "几十个", "a few dozen"
// (vague). ok is false for anything else.
func ReadNumber(s string) (NumberReading, bool) {
	if r, ok := readNumber(s); ok {
		return r, true
	}
	return numberInSentence(s)
}

// numberSpan finds the numbers in a sentence, with the words around them
// that say how sure it is ("around 300", "一千多", "over 5k").
var numberSpan = regexp.MustCompile(`(?i)(?:about |around |over |more than |at least |nearly |almost |约|大概|大约|超过|至少|差不多)?\d[\d,]*(?:\.\d+)?\s*(?:k|w|万|千|百|thousand|million)?(?:多|余|几|\+)?`)

// numberInSentence reads the one number a sentence holds ("around 300
// people saw it", "我看到有800多条转发"), with its hedges; a sentence with
// none or several is no number. It is never Plain: the answer is said back.
func numberInSentence(s string) (NumberReading, bool) {
	s = fold(toASCIIDigits(s))
	spans := numberSpan.FindAllStringIndex(s, -1)
	if len(spans) != 1 || (spans[0][0] > 0 && strings.ContainsAny(s[spans[0][0]-1:spans[0][0]], "-−")) {
		return NumberReading{}, false // none, several, or negative
	}
	r, ok := readNumber(strings.TrimSpace(s[spans[0][0]:spans[0][1]]))
	r.Plain = false
	return r, ok
}

// readNumber reads a number that is the whole answer; see ReadNumber.
func readNumber(s string) (NumberReading, bool) {
	s = fold(toASCIIDigits(s))
	s = strings.TrimRight(s, ".。!！~～")
	s, _ = cutAny(s, numHedgePre...)
	s, _ = cutAnySuffix(s, numHedgeSuf...)
	folded := s
	var r NumberReading
	approx := false
	for changed := true; changed; {
		var a, b, c, d bool
		s, a = cutAny(s, numApprox...)
		if t, ok := cutAny(s, numAtLeast...); ok {
			s, b, r.AtLeast = t, true, true
		}
		s, c = cutAnySuffix(s, numUnits...)
		if t, ok := cutAnySuffix(s, numSuffix...); ok {
			if !strings.HasSuffix(s, "左右") && !strings.HasSuffix(s, "上下") && !strings.HasSuffix(s, "来") && !strings.HasSuffix(s, "or so") && !strings.HasSuffix(s, "ish") {
				r.AtLeast = true
			}
			s, d = t, true
		}
		approx = approx || a || c || d
		changed = a || b || c || d
	}
	if s == "" {
		return NumberReading{}, false
	}
	if lo, ok := rangeLow(s); ok {
		return NumberReading{Value: lo, AtLeast: true}, true
	}
	// "10多万", "一百多万", "3千多" inside a larger unit: at least 100,000...
	for _, u := range []struct {
		s string
		m float64
	}{{"多万", 1e4}, {"多亿", 1e8}, {"余万", 1e4}, {"来万", 1e4}} {
		if t, ok := strings.CutSuffix(s, u.s); ok && t != "" {
			v, err := strconv.ParseFloat(t, 64)
			if err != nil {
				f, ok := chineseNumber(t)
				if !ok {
					break
				}
				v = f
			}
			if v > 0 && v*u.m <= 1e15 {
				return NumberReading{Value: int64(v * u.m), AtLeast: u.s != "来万"}, true
			}
		}
	}
	// "十几" is at least ten, "二十几" at least twenty.
	if t, ok := strings.CutSuffix(s, "十几"); ok {
		v := 10.0
		if t != "" {
			n, ok := chineseNumber(t)
			if !ok || n != float64(int(n)) || n > 9 {
				return vague(folded)
			}
			v = n * 10
		}
		return NumberReading{Value: int64(v), AtLeast: true}, true
	}
	switch s {
	case "上百":
		return NumberReading{Value: 100, AtLeast: true}, true
	case "上千":
		return NumberReading{Value: 1000, AtLeast: true}, true
	case "上万":
		return NumberReading{Value: 10000, AtLeast: true}, true
	case "a dozen", "dozen":
		return NumberReading{Value: 12}, true
	}
	s = strings.NewReplacer(",", "", "，", "", " ", "", "_", "", "'", "").Replace(s)
	mult := 1.0
	for _, suf := range []struct {
		s string
		m float64
	}{{"thousand", 1e3}, {"million", 1e6}, {"k", 1e3}, {"w", 1e4}, {"m", 1e6}} {
		if t, ok := strings.CutSuffix(s, suf.s); ok && t != "" && strings.ContainsAny(t[len(t)-1:], "0123456789") {
			s, mult = t, suf.m
			break
		}
	}
	if s == "" || len(s) > 40 {
		return vague(folded)
	}
	if mult == 1 && !approx && !r.AtLeast {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil && v >= 0 {
			return NumberReading{Value: v, Plain: true}, true
		}
	}
	var v float64
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eEnNxXpP") {
		if mult == 1 && f != float64(int64(f)) {
			return NumberReading{}, false // 1.5 of something counted is not a count
		}
		v = f
	} else if f, ok := chineseNumber(s); ok && mult == 1 {
		v = f
	} else {
		return vague(folded)
	}
	v *= mult
	if v < 0 || v > 1e15 {
		return NumberReading{}, false
	}
	r.Value = int64(v + 0.5)
	return r, true
}

// rangeLow reads a range as its lower bound: "3-4", "20-30k", "3 or 4",
// "三四", "两三千", "七八十" (a range is at least its lower end).
func rangeLow(s string) (int64, bool) {
	if m := numRangeExpr.FindStringSubmatch(s); m != nil {
		lo, err1 := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
		hi, err2 := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", ""), 64)
		if err1 != nil || err2 != nil || lo > hi {
			return 0, false
		}
		mult := map[string]float64{"": 1, "k": 1e3, "thousand": 1e3, "千": 1e3, "w": 1e4, "万": 1e4, "m": 1e6, "million": 1e6}[m[3]]
		if v := lo * mult; v == float64(int64(v)) && v <= 1e15 {
			return int64(v), true
		}
		return 0, false
	}
	rs := []rune(s)
	if len(rs) < 2 {
		return 0, false
	}
	a, okA := cnDigits[rs[0]]
	b, okB := cnDigits[rs[1]]
	if !okA || !okB || b != a+1 || a == 0 || (a == 1 && rs[1] == '二') { // 一两个, not 一二
		return 0, false
	}
	v, ok := chineseNumber(string(rs[0]) + string(rs[2:]))
	if !ok || v <= 0 {
		return 0, false
	}
	return int64(v), true
}

// vague reads a text that is not a number as a rough amount ("几十个",
// "a few dozen", "很多") if it is one.
func vague(s string) (NumberReading, bool) {
	if strings.Contains(s, "几") && !strings.ContainsAny(s, "0123456789") {
		return NumberReading{Vague: true}, true
	}
	for _, w := range vagueWords {
		if strings.Contains(s, w) && !strings.ContainsAny(s, "0123456789") {
			return NumberReading{Vague: true}, true
		}
	}
	return NumberReading{}, false
}

// ParseNumber reads a whole, non-negative number as people type it; see
// ReadNumber. A vague amount is not a number.
func ParseNumber(s string) (int64, bool) {
	r, ok := ReadNumber(s)
	return r.Value, ok && !r.Vague
}

var (
	cnDigits = map[rune]float64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	cnUnits  = map[rune]float64{'十': 10, '百': 100, '千': 1000}
	cnBig    = map[rune]float64{'万': 1e4, '亿': 1e8}
)

// chineseNumber reads Chinese numerals, possibly with Arabic digits in
// them: 八千, 一万二 (12,000: a last digit counts in the unit below the one
// before it), 三千五, 一百零五, 1.2万, 3千, 1万2, 两亿.
func chineseNumber(s string) (float64, bool) {
	var total, section float64
	num, last := -1.0, 0.0
	zero, any := false, false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r >= '0' && r <= '9' || r == '.':
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.') {
				j++
			}
			v, err := strconv.ParseFloat(string(rs[i:j]), 64)
			if err != nil || num >= 0 {
				return 0, false
			}
			num, i, any = v, j-1, true
		case cnDigits[r] > 0 || r == '零' || r == '〇':
			if cnDigits[r] == 0 {
				zero = true
				continue
			}
			if num >= 0 {
				return 0, false
			}
			num, any = cnDigits[r], true
		case cnUnits[r] > 0:
			u := cnUnits[r]
			if num < 0 {
				if u != 10 {
					return 0, false
				}
				num = 1 // 十二, 一百十
			}
			section += num * u
			num, last, zero, any = -1, u, false, true
		case cnBig[r] > 0:
			if num >= 0 {
				section += num
			}
			if section == 0 && total == 0 {
				return 0, false
			}
			if cnBig[r] == 1e8 {
				total = (total + section) * 1e8
			} else {
				total += section * 1e4
			}
			section, num, last, zero = 0, -1, cnBig[r], false
		default:
			return 0, false
		}
	}
	if num >= 0 {
		if !zero && last >= 10 {
			section += num * last / 10
		} else {
			section += num
		}
	}
	return total + section, any
}

// DateReading is a typed date as it was understood.
type DateReading struct {
	Day time.Time // midnight in China time
	// Exact: written out with year, month and day; nothing to say back.
	Exact bool
	// MonthOnly: a month without a day ("June 2026", "2026年6月"); Day is
	// its first day, and the reply says so.
	MonthOnly bool
	// Ambiguous: day and month could be either way round ("06/07/2026");
	// Day reads it day first, Other month first. Ask back.
	Ambiguous bool
	Other     time.Time
}

var (
	months = map[string]time.Month{
		"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
		"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
		"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	}
	weekdays = map[string]time.Weekday{
		"sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3,
		"wed": 3, "thursday": 4, "thu": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6,
	}
	cnWeekdays = map[string]time.Weekday{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 0, "天": 0, "七": 0}
	enCounts   = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "a couple of": 2, "a couple": 2, "couple of": 2,
		"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
	// Times of day after a day ("yesterday evening", "昨天晚上"): the day is what counts.
	dayParts = []string{" night", " evening", " morning", " afternoon", "晚上", "早上", "上午", "下午", "中午", "凌晨", "夜里", "傍晚", "晚", "夜"}
)

// ReadDate reads a date as people type it: 2026-11-14, 2026/11/14,
// 2026年11月14日, 14 Nov 2026, Nov 14, 2026; without a year (11月14日,
// Nov 14: the most recent one not after now); a month (June 2026, 2026年6月:
// its first day); relative to now: today, yesterday, 昨天晚上, 前天, last
// Friday, 上周六, 3 weeks ago, 两周前, 半年前. 06/07/2026 is Ambiguous. ok is
// false for anything else, and for relative dates when now is zero.
func ReadDate(s string, now time.Time) (DateReading, bool) {
	s = strings.ReplaceAll(fold(toASCIIDigits(s)), "月份", "月") // 九月份
	s = strings.TrimRight(s, ".。!！")
	s, _ = cutAny(s, "about ", "around ", "approximately ", "roughly ", "on ", "since ", "大概是", "大概", "大约", "差不多", "约")
	s, _ = cutAnySuffix(s, "左右", "前后", "的时候", "那天", "ish")
	if s == "" {
		return DateReading{}, false
	}
	if d, ok := exactDate(s); ok {
		return d, true
	}
	if now.IsZero() {
		return DateReading{}, false
	}
	today := Day(now)
	if d, ok := monthPart(s, now); ok {
		return d, true
	}
	if d, ok := relativeDate(s, today); ok {
		return DateReading{Day: d}, true
	}
	if d, ok := yearlessDate(s, today); ok {
		return d, true
	}
	for i, p := range []string{"今年", "去年", "前年"} { // 去年十二月: December of last year
		if t, ok := strings.CutPrefix(s, p); ok && t != "" && !strings.HasPrefix(t, "年") {
			return ReadDate(strconv.Itoa(today.Year()-i)+"年"+t, now)
		}
	}
	if t := cnDateNumerals(s); t != s {
		return ReadDate(t, now) // 九月初, 十一月十四日, 二〇二六年九月
	}
	return DateReading{}, false
}

// cnDateNumerals writes the Chinese numerals of a date in digits: those
// before 月, 日 or 号 by value (十一月十四日 → 11月14日), a year's digit by
// digit (二〇二六年 → 2026年). Numerals before anything else (两周前, 一个月)
// are left as they are.
func cnDateNumerals(s string) string {
	isNum := func(r rune) bool { return cnDigits[r] > 0 || r == '零' || r == '〇' || r == '十' }
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !isNum(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isNum(rs[j]) {
			j++
		}
		run := string(rs[i:j])
		next := rune(0)
		if j < len(rs) {
			next = rs[j]
		}
		switch {
		case next == '年' && !strings.ContainsRune(run, '十'):
			for _, r := range run {
				b.WriteString(strconv.Itoa(int(cnDigits[r]))) // 零 and 〇 are 0
			}
		case next == '月' || next == '日' || next == '号':
			if v, ok := chineseNumber(run); ok && v >= 1 && v <= 31 && v == float64(int(v)) {
				b.WriteString(strconv.Itoa(int(v)))
			} else {
				b.WriteString(run)
			}
		default:
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

// ParseDate reads a date as people type it; see ReadDate. An ambiguous
// date is not a date.
func ParseDate(s string, now time.Time) (time.Time, bool) {
	d, ok := ReadDate(s, now)
	return d.Day, ok && !d.Ambiguous
}

func mkDate(y, m, d int) (time.Time, bool) {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, China)
	return t, t.Day() == d // not 2026-02-30
}

// dateFields splits "2026-11-14", "14 nov 2026", "nov 14, 2026",
// "2026年11月14日" into numbers and month names.
func dateFields(s string) []string {
	s = strings.NewReplacer("年", " 年 ", "月", " 月 ", "日", " ", "号", " ").Replace(s)
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("-/., ", r) })
}

func ordinal(s string) (int, bool) {
	s, _ = cutAnySuffix(s, "st", "nd", "rd", "th")
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// exactDate reads dates that carry their year.
func exactDate(s string) (DateReading, bool) {
	f := dateFields(s)
	nums := make([]int, len(f))
	allNum := true
	for i, x := range f {
		n, err := strconv.Atoi(x)
		nums[i] = n
		if err != nil {
			allNum = false
		}
	}
	// 2026年11月14日, 2026年6月
	if strings.Contains(s, "年") {
		var clean []int
		for _, x := range f {
			if x == "年" || x == "月" {
				continue
			}
			n, err := strconv.Atoi(x)
			if err != nil {
				return DateReading{}, false
			}
			clean = append(clean, n)
		}
		switch len(clean) {
		case 3:
			if t, ok := mkDate(clean[0], clean[1], clean[2]); ok {
				return DateReading{Day: t, Exact: true}, true
			}
		case 2:
			if t, ok := mkDate(clean[0], clean[1], 1); ok && strings.Contains(s, "月") {
				return DateReading{Day: t, MonthOnly: true}, true
			}
		}
		return DateReading{}, false
	}
	if allNum {
		switch {
		case len(f) == 3 && len(f[0]) == 4: // 2026-11-14
			if t, ok := mkDate(nums[0], nums[1], nums[2]); ok {
				return DateReading{Day: t, Exact: true}, true
			}
		case len(f) == 3 && len(f[2]) == 4: // 14/11/2026, 11/14/2026, 06/07/2026
			dm, ok1 := mkDate(nums[2], nums[1], nums[0])
			md, ok2 := mkDate(nums[2], nums[0], nums[1])
			switch {
			case ok1 && ok2 && !dm.Equal(md):
				return DateReading{Day: dm, Other: md, Ambiguous: true}, true
			case ok1:
				return DateReading{Day: dm}, true
			case ok2:
				return DateReading{Day: md}, true
			}
		case len(f) == 2 && len(f[0]) == 4: // 2026-06
			if t, ok := mkDate(nums[0], nums[1], 1); ok {
				return DateReading{Day: t, MonthOnly: true}, true
			}
		}
		return DateReading{}, false
	}
	// 14 nov 2026, nov 14 2026, june 2026
	switch len(f) {
	case 3:
		y, err := strconv.Atoi(f[2])
		if err != nil || len(f[2]) != 4 {
			return DateReading{}, false
		}
		if m, ok := months[f[1]]; ok {
			if d, ok := ordinal(f[0]); ok {
				if t, ok := mkDate(y, int(m), d); ok {
					return DateReading{Day: t, Exact: true}, true
				}
			}
		}
		if m, ok := months[f[0]]; ok {
			if d, ok := ordinal(f[1]); ok {
				if t, ok := mkDate(y, int(m), d); ok {
					return DateReading{Day: t, Exact: true}, true
				}
			}
		}
	case 2:
		if m, ok := months[f[0]]; ok && len(f[1]) == 4 {
			if y, err := strconv.Atoi(f[1]); err == nil {
				if t, ok := mkDate(y, int(m), 1); ok {
					return DateReading{Day: t, MonthOnly: true}, true
				}
			}
		}
	}
	return DateReading{}, false
}

// yearlessDate reads 11月14日, nov 14, 14 nov, june, 6月: the most recent
// one not after today.
func yearlessDate(s string, today time.Time) (DateReading, bool) {
	f := dateFields(s)
	month, day := 0, 0
	switch {
	case len(f) == 3 && f[1] == "月": // 11 月 14
		m, e1 := strconv.Atoi(f[0])
		d, e2 := strconv.Atoi(f[2])
		if e1 != nil || e2 != nil {
			return DateReading{}, false
		}
		month, day = m, d
	case len(f) == 2 && f[1] == "月": // 6月
		m, err := strconv.Atoi(f[0])
		if err != nil {
			return DateReading{}, false
		}
		month = m
	case len(f) == 2:
		if m, ok := months[f[0]]; ok {
			if d, ok := ordinal(f[1]); ok {
				month, day = int(m), d
			}
		} else if m, ok := months[f[1]]; ok {
			if d, ok := ordinal(f[0]); ok {
				month, day = int(m), d
			}
		}
	case len(f) == 1:
		if m, ok := months[f[0]]; ok {
			month = int(m)
		}
	}
	if month == 0 {
		return DateReading{}, false
	}
	only := day == 0
	if only {
		day = 1
	}
	for y := today.Year(); y >= today.Year()-1; y-- {
		t, ok := mkDate(y, month, day)
		if !ok && month == 2 && day == 29 {
			continue
		}
		if !ok {
			return DateReading{}, false
		}
		if !t.After(today) {
			return DateReading{Day: t, MonthOnly: only}, true
		}
	}
	return DateReading{}, false
}

// Parts of a month as people say them, and the day each is read as.
var (
	enMonthParts = []struct {
		prefix string
		day    int
	}{{"early ", 5}, {"beginning of ", 1}, {"start of ", 1}, {"the beginning of ", 1}, {"the start of ", 1},
		{"mid ", 15}, {"mid-", 15}, {"middle of ", 15}, {"the middle of ", 15},
		{"late ", 25}, {"end of ", 31}, {"the end of ", 31}}
	cnMonthParts = []struct {
		suffix string
		day    int
	}{{"上旬", 5}, {"月初", 1}, {"初", 1}, {"中旬", 15}, {"月中", 15}, {"中", 15}, {"下旬", 25}, {"月底", 31}, {"月末", 31}, {"底", 31}, {"末", 31}}
)

// monthPart reads a part of a month: "early September", "mid-Oct 2026",
// "end of last month", "9月初", "10月中旬", "上个月底", and a whole month
// relative to now: "last month", "上个月", "this month", "这个月" (its
// first day, as for a named month). The day is approximate: the reply says
// how it was read.
func monthPart(s string, now time.Time) (DateReading, bool) {
	today := Day(now)
	rel := func(m string) (time.Time, bool) {
		switch m {
		case "last month", "the last month", "上个月", "上月", "上一个月":
			return time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, China), true
		case "this month", "这个月", "本月", "这月":
			return time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, China), true
		}
		return time.Time{}, false
	}
	if first, ok := rel(s); ok {
		return DateReading{Day: first, MonthOnly: true}, true
	}
	month := func(m string) (time.Time, bool) {
		if first, ok := rel(m); ok {
			return first, true
		}
		if d, ok := exactDate(m); ok && d.MonthOnly {
			return d.Day, true
		}
		if d, ok := yearlessDate(m, today); ok && d.MonthOnly {
			return d.Day, true
		}
		return time.Time{}, false
	}
	at := func(first time.Time, day int) (DateReading, bool) {
		last := first.AddDate(0, 1, -1).Day()
		d := first.AddDate(0, 0, min(day, last)-1)
		if d.After(today) {
			d = today // "end of this month", said before its end
		}
		return DateReading{Day: d}, true
	}
	for _, p := range enMonthParts {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			if first, ok := month(strings.TrimSpace(rest)); ok {
				return at(first, p.day)
			}
		}
	}
	for _, p := range cnMonthParts {
		if rest, ok := strings.CutSuffix(s, p.suffix); ok && rest != "" {
			if !strings.HasSuffix(rest, "月") {
				rest += "月" // 9月初 → "9月" + 初; 上个月底 keeps its 月
			}
			if first, ok := month(strings.TrimSuffix(rest, "的")); ok {
				return at(first, p.day)
			}
		}
	}
	return DateReading{}, false
}

// relativeDate reads dates relative to today.
func relativeDate(s string, today time.Time) (time.Time, bool) {
	for _, p := range dayParts {
		if t, ok := strings.CutSuffix(s, p); ok && t != "" {
			if d, ok := relativeDate(strings.TrimSpace(t), today); ok {
				return d, true
			}
		}
	}
	switch s {
	case "today", "this morning", "tonight", "今天", "今日", "今早", "今晚":
		return today, true
	case "yesterday", "last night", "昨天", "昨日", "昨晚", "昨夜":
		return today.AddDate(0, 0, -1), true
	case "the day before yesterday", "day before yesterday", "前天", "前日", "前晚":
		return today.AddDate(0, 0, -2), true
	case "大前天", "前几天", "几天前", "这几天", "最近几天", "a few days ago", "few days ago", "the other day":
		return today.AddDate(0, 0, -3), true
	case "last week", "上周", "上星期", "上个星期", "上礼拜", "上个礼拜", "a week ago":
		return today.AddDate(0, 0, -7), true
	}
	// last friday, friday, on friday
	if w, ok := weekdays[strings.TrimPrefix(strings.TrimPrefix(s, "last "), "this past ")]; ok {
		back := (int(today.Weekday()) - int(w) + 7) % 7
		if back == 0 {
			back = 7
		}
		return today.AddDate(0, 0, -back), true
	}
	// 上周六, 上星期五, 周六, 星期六, 这周一
	for _, p := range []struct {
		prefix string
		weeks  int
	}{{"上上周", 2}, {"上周", 1}, {"上星期", 1}, {"上个星期", 1}, {"上礼拜", 1}, {"上个礼拜", 1}, {"这周", 0}, {"本周", 0}, {"这个星期", 0}, {"周", 0}, {"星期", 0}, {"礼拜", 0}} {
		rest, ok := strings.CutPrefix(s, p.prefix)
		if !ok {
			continue
		}
		w, ok := cnWeekdays[rest]
		if !ok {
			break
		}
		// Chinese weeks start on Monday.
		monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		d := monday.AddDate(0, 0, 7*-p.weeks+(int(w)+6)%7)
		if d.After(today) {
			if p.weeks > 0 || p.prefix == "这周" || p.prefix == "本周" || p.prefix == "这个星期" {
				return time.Time{}, false
			}
			d = d.AddDate(0, 0, -7) // 周六 said on a Wednesday: the last one
		}
		return d, true
	}
	// 3 weeks ago, a month ago, 两周前, 半年前
	if n, unit, ok := agoParts(s); ok {
		switch unit {
		case "day":
			return today.AddDate(0, 0, -n), true
		case "week":
			return today.AddDate(0, 0, -7*n), true
		case "halfmonth":
			return today.AddDate(0, 0, -15*n), true
		case "month":
			return today.AddDate(0, -n, 0), true
		case "halfyear":
			return today.AddDate(0, -6*n, 0), true
		case "year":
			return today.AddDate(-n, 0, 0), true
		}
	}
	return time.Time{}, false
}

// agoParts splits "3 weeks ago", "two months ago", "两周前", "三个月以前",
// "半年前" into a count and a unit.
func agoParts(s string) (n int, unit string, ok bool) {
	if t, ok := cutAnySuffix(s, "ago", "before", "back"); ok {
		if t, ok := cutAny(t, "half a year", "half year", "six months"); ok && t == "" {
			return 1, "halfyear", true
		}
		i := strings.LastIndexByte(t, ' ')
		if i < 0 {
			return 0, "", false
		}
		count, u := strings.TrimSpace(t[:i]), strings.TrimSuffix(t[i+1:], "s")
		if c, ok := enCounts[count]; ok {
			n = c
		} else if c, err := strconv.Atoi(count); err == nil {
			n = c
		} else {
			return 0, "", false
		}
		switch u {
		case "day", "week", "month", "year":
			return n, u, n > 0 && n <= 100
		case "fortnight":
			return 2 * n, "week", n > 0 && n <= 100
		}
		return 0, "", false
	}
	t, ok := cutAnySuffix(s, "以前", "之前", "前")
	if !ok {
		return 0, "", false
	}
	switch t {
	case "半年":
		return 1, "halfyear", true
	case "半个月":
		return 1, "halfmonth", true
	}
	// 一个多月前, 两年多前: "more than" a month or a year is read as half a
	// unit more (the earlier day, which errs on the safe side for deadlines);
	// 十多天前 is ten days.
	more := false
	if i := strings.Index(t, "多"); i > 0 {
		t, more = t[:i]+t[i+len("多"):], true
	}
	for _, u := range []struct{ s, unit string }{
		{"个星期", "week"}, {"个礼拜", "week"}, {"星期", "week"}, {"礼拜", "week"}, {"周", "week"},
		{"个月", "month"}, {"月", "month"}, {"天", "day"}, {"日", "day"}, {"年", "year"},
	} {
		count, ok := strings.CutSuffix(t, u.s)
		if !ok || count == "" {
			continue
		}
		half := false
		if c, ok := strings.CutSuffix(count, "半"); ok && c != "" { // 一年半前, 一个半月前
			count, half = strings.TrimSuffix(c, "个"), true
		}
		v, ok := chineseNumber(count)
		if !ok || v <= 0 || v > 100 || v != float64(int(v)) {
			return 0, "", false
		}
		n = int(v)
		switch {
		case (half || more) && u.unit == "year":
			return 2*n + 1, "halfyear", true
		case (half || more) && u.unit == "month":
			return 2*n + 1, "halfmonth", true
		}
		return n, u.unit, true
	}
	return 0, "", false
}

// dontKnow reports whether typed text says "I don't know": 不知道, 不清楚,
// 不确定, Cantonese 唔知, don't know, not sure, idk, ?, and the like, alone
// or in a short sentence without a number.
func dontKnow(text string) bool {
	s := fold(text)
	if strings.Trim(s, "?？ ") == "" && s != "" {
		return true
	}
	if utf8.RuneCountInString(s) > 30 || strings.ContainsAny(toASCIIDigits(s), "0123456789") {
		return false
	}
	s = strings.ReplaceAll(s, "'", "")
	for _, w := range []string{"不知道", "不清楚", "不确定", "不记得", "记不清", "记不得", "不晓得", "说不清", "没印象", "不太清楚", "不太确定", "忘了", "忘记了", "看不到", "未知",
		"唔知", "唔清楚", "唔记得", "唔肯定", // Cantonese (Hong Kong, Macao, Guangdong): 唔 is 不
		"dont know", "do not know", "dunno", "idk", "not sure", "unsure", "no idea", "unknown", "cant remember", "dont remember", "cannot remember", "no clue", "cant tell", "cannot tell"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// PeriodReading is a typed period as it was understood: the first and the
// latest day of what happened.
type PeriodReading struct {
	From, To DateReading
	// Single: one date was given (From and To are that day).
	Single bool
	// Ongoing: "still going on", "since September", "至今". To is today,
	// unless a latest day was given too ("2026-09-05 to 2026-11-14, still
	// going on"): then To is that day, the latest act known.
	Ongoing bool
}

// Words of a period: where it is still going on, and what separates its
// two dates.
var (
	periodOngoing = []string{"and it's still going on", "and it is still going on", "and still going on", "still going on", "and still going",
		"and it's still happening", "and it is still happening", "still happening", "and still ongoing", "still ongoing", "and continuing", "still continuing",
		"and is still going on", "is still going on", "and is still going", "still going", "and is ongoing", "and it continues", "and continues", "till today", "till date",
		"and ongoing", "ongoing", "until now", "till now", "up to now", "up till now", "to now", "until today", "to today", "to date", "now",
		"现在还在继续", "现在还在", "一直到现在", "持续到现在", "持续至今", "直到现在", "到现在", "到今天", "至今", "还在继续", "仍在继续", "一直没停", "还没停", "现在",
		"还在发", "一直在发", "还在传", "还在骂", "还在持续", "仍在持续", "一直持续", "还没结束", "没有结束", "还有人在发", "还在", "仍然在继续", "一直在继续",
		"仲有", "仲喺度", "仲係度", "仲未停", "仲喺", "仲係"} // Cantonese: 仲 is 还
	periodSince       = []string{"ever since ", "since ", "starting from ", "starting ", "it started in ", "it started on ", "it started ", "started in ", "started on ", "started ", "it began in ", "it began ", "began in ", "began ", "自从"}
	periodFrom        = []string{"from ", "between ", "从", "自"}
	periodSinceSuffix = []string{"开始到现在", "开始一直", "开始的", "开始", "以来", "起"}
	periodSeps        = []string{" until ", " till ", " through ", " to ", " and ", " - ", "–", "—", "~", "～", "一直到", "直到", "至", "到", "-"}
)

// ongoingLongestFirst is periodOngoing, the longest phrase first, so that
// "and is still going on" is cut whole rather than "still going on".
var ongoingLongestFirst = func() []string {
	out := slices.Clone(periodOngoing)
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}()

// ReadPeriod reads when something happened, as people type it: one date
// ("2026-11-14": a single day), a range ("2026-09-05 to 2026-11-14",
// "9月初到11月14日", "from June to August", "11月2日到14日"), a start
// that is still going on ("since early September", "从9月开始", "2026-09-05
// 至今", "September until now"), or a range still going on ("2026-09-05 to
// 2026-11-14, still going on", "9月初到11月14日，现在还在继续"). Each date
// is read as ReadDate reads it.
func ReadPeriod(s string, now time.Time) (PeriodReading, bool) {
	s = fold(toASCIIDigits(s))
	s = strings.TrimSpace(strings.TrimRight(s, ".。!！"))
	var r PeriodReading
	trimSep := func(t string) string {
		t = strings.TrimSpace(t)
		for _, sep := range []string{",", "，", "、", "-", "–", "—", "~", "～", "到", "至", "until", "till", "to", "and", "一直", "，"} {
			t = strings.TrimSpace(strings.TrimSuffix(t, sep))
		}
		return t
	}
	// "9月初开始，到现在还在发": the words of "still going on" may come
	// one after another; cut them all.
	for {
		t, ok := cutAnySuffix(s, ongoingLongestFirst...)
		if !ok || t == s {
			break
		}
		if t = trimSep(t); t == "" {
			break
		}
		s, r.Ongoing = t, true
	}
	since := false
	if t, ok := cutAny(s, periodFrom...); ok {
		s = strings.TrimSpace(t)
	}
	if t, ok := cutAny(s, periodSince...); ok {
		since = true
		s = strings.TrimSpace(t)
	}
	if t, ok := cutAnySuffix(s, periodSinceSuffix...); ok && t != "" {
		since = true
		s = trimSep(t)
	}
	if s == "" || now.IsZero() {
		return PeriodReading{}, false
	}
	today := Day(now)
	_, whole := ReadDate(s, now) // "2026-11-14" is one day, not 2026-11 to the 14th
	if !whole && !since {
		for _, sep := range periodSeps {
			for i := 0; i+len(sep) <= len(s); {
				j := strings.Index(s[i:], sep)
				if j < 0 {
					break
				}
				j += i
				left, right := strings.TrimSpace(s[:j]), strings.TrimSpace(s[j+len(sep):])
				if l, ok := ReadDate(left, now); ok && right != "" {
					if rt, ok := periodEnd(right, l, now); ok {
						return PeriodReading{From: l, To: rt, Ongoing: r.Ongoing}, true
					}
				}
				i = j + len(sep)
			}
		}
	}
	d, ok := ReadDate(s, now)
	if !ok {
		return PeriodReading{}, false
	}
	r.From = d
	if r.Ongoing || since {
		r.Ongoing = true
		r.To = DateReading{Day: today, Exact: true}
		return r, true
	}
	r.To, r.Single = d, true
	return r, true
}

// periodEnd reads the second date of a range; a bare day ("14", "14日",
// "14th") takes its month and year from the first.
func periodEnd(s string, first DateReading, now time.Time) (DateReading, bool) {
	if d, ok := ReadDate(s, now); ok {
		return d, true
	}
	t, _ := cutAnySuffix(s, "日", "号", "th", "st", "nd", "rd")
	day, err := strconv.Atoi(t)
	if err != nil {
		if v, ok := chineseNumber(t); ok && v == float64(int(v)) {
			day = int(v)
		} else {
			return DateReading{}, false
		}
	}
	y, m, _ := first.Day.Date()
	d, ok := mkDate(y, int(m), day)
	if !ok {
		return DateReading{}, false
	}
	return DateReading{Day: d, Exact: first.Exact}, true
}
