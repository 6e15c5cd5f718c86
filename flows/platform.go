package flows

import (
	"net/url"
	"strings"
	"time"
)

// The platforms the evidence log recognises from a link, by key. The keys
// are those of the flow's platform question where it has one (xhs for
// Xiaohongshu); PlatformOther is any other site. The names users see are
// in the catalogs.
const (
	PlatformWeibo    = "weibo"
	PlatformWeChat   = "wechat"
	PlatformDouyin   = "douyin"
	PlatformKuaishou = "kuaishou"
	PlatformBilibili = "bilibili"
	PlatformXHS      = "xhs"
	PlatformZhihu    = "zhihu"
	PlatformQQ       = "qq"
	PlatformTieba    = "tieba"
	PlatformOther    = "other"
)

// Platforms lists every platform key PlatformOf returns.
var Platforms = []string{PlatformWeibo, PlatformWeChat, PlatformDouyin, PlatformKuaishou, PlatformBilibili,
	PlatformXHS, PlatformZhihu, PlatformQQ, PlatformTieba, PlatformOther}

// platformHosts maps a registered domain, or a host under it, to its
// platform. The longest matching suffix wins, so tieba.baidu.com is Tieba
// while baidu.com is not listed (other), and weixin.qq.com is WeChat while
// qq.com is QQ.
var platformHosts = map[string]string{
	"weibo.com": PlatformWeibo, "weibo.cn": PlatformWeibo, "t.cn": PlatformWeibo,
	"weixin.qq.com": PlatformWeChat, "wechat.com": PlatformWeChat,
	"douyin.com": PlatformDouyin, "iesdouyin.com": PlatformDouyin, "douyinvod.com": PlatformDouyin,
	"kuaishou.com": PlatformKuaishou, "gifshow.com": PlatformKuaishou, "kuaishouapp.com": PlatformKuaishou, "chenzhongtech.com": PlatformKuaishou,
	"bilibili.com": PlatformBilibili, "b23.tv": PlatformBilibili,
	"xiaohongshu.com": PlatformXHS, "xhslink.com": PlatformXHS,
	"zhihu.com": PlatformZhihu, "zhuanlan.zhihu.com": PlatformZhihu,
	"qq.com": PlatformQQ, "qzone.qq.com": PlatformQQ, "qzone.com": PlatformQQ,
	"tieba.baidu.com": PlatformTieba,
}

// PlatformOf recognises the platform of a link from its host: weibo.com,
// m.weibo.cn and t.cn are Weibo; mp.weixin.qq.com is WeChat; v.douyin.com
// is Douyin; b23.tv is Bilibili; xhslink.com is Xiaohongshu; and so on
// (Platforms lists the keys). A link without a scheme ("weibo.com/123")
// is read as https. Anything else, an invalid link included, is PlatformOther.
func PlatformOf(link string) string {
	host := linkHost(link)
	for host != "" {
		if p, ok := platformHosts[host]; ok {
			return p
		}
		_, rest, ok := strings.Cut(host, ".")
		if !ok {
			break
		}
		host = rest
	}
	return PlatformOther
}

// linkHost returns the lower-case host of a link, without port or final dot.
func linkHost(link string) string {
	s := strings.TrimSpace(link)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// FactHolds returns the value of the flow's fact id for a state, as of now:
// false when the flow has no such fact or it is not true. Conversation
// layers use it to adapt what they say around the flow (the evidence log
// warns against uploading intimate images when the case involves them).
func (f *Flow) FactHolds(st State, id string, now time.Time) bool {
	if f == nil || st.Flow != f.ID {
		return false
	}
	v, _ := f.env(st, now)[id].(bool)
	return v
}
