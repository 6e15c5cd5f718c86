package flows_test

import (
	"testing"

	"github.com/redress-legal/redress/flows"
)

func TestPlatformOf(t *testing.T) {
	for _, c := range []struct{ link, want string }{
		{"https://weibo.com/1234567890/Nabc123", "weibo"},
		{"https://m.weibo.cn/status/4950000000000000", "weibo"},
		{"http://t.cn/A6abcdEF", "weibo"},
		{"https://mp.weixin.qq.com/s/AbCdEf", "wechat"},
		{"https://weixin.qq.com/x", "wechat"},
		{"https://www.douyin.com/video/7300000000000000000", "douyin"},
		{"https://v.douyin.com/iJKlmN/", "douyin"},
		{"https://www.iesdouyin.com/share/video/1/", "douyin"},
		{"https://www.kuaishou.com/short-video/3x", "kuaishou"},
		{"https://v.kuaishou.com/abc", "kuaishou"},
		{"https://m.gifshow.com/s/abc", "kuaishou"},
		{"https://www.bilibili.com/video/BV1xx411c7mD", "bilibili"},
		{"https://b23.tv/abc123", "bilibili"},
		{"https://www.xiaohongshu.com/explore/64abc", "xhs"},
		{"http://xhslink.com/a/abc", "xhs"},
		{"https://www.zhihu.com/question/1/answer/2", "zhihu"},
		{"https://zhuanlan.zhihu.com/p/123", "zhihu"},
		{"https://user.qzone.qq.com/12345", "qq"},
		{"https://www.qq.com/", "qq"},
		{"https://tieba.baidu.com/p/8000000000", "tieba"},
		{"https://baidu.com/s?wd=x", "other"},
		{"https://www.toutiao.com/article/1/", "other"},
		{"https://example.com/weibo.com", "other"},
		{"https://weibo.com.evil.example/x", "other"},
		{"https://notweibo.com/x", "other"},
		{"WEIBO.COM/123", "weibo"},
		{"  https://Weibo.com.:443/x  ", "weibo"},
		{"weibo.com/u/1", "weibo"},
		{"not a link", "other"},
		{"", "other"},
		{"http://[::1", "other"},
	} {
		if got := flows.PlatformOf(c.link); got != c.want {
			t.Errorf("PlatformOf(%q) = %q, want %q", c.link, got, c.want)
		}
	}
}

// Every key PlatformOf returns is listed in Platforms (the catalogs name each).
func TestPlatformsListed(t *testing.T) {
	listed := map[string]bool{}
	for _, p := range flows.Platforms {
		listed[p] = true
	}
	for _, l := range []string{"weibo.com", "weixin.qq.com", "douyin.com", "kuaishou.com", "bilibili.com", "xiaohongshu.com", "zhihu.com", "qq.com", "tieba.baidu.com", "example.com"} {
		if p := flows.PlatformOf(l); !listed[p] {
			t.Errorf("PlatformOf(%q) = %q, not in Platforms", l, p)
		}
	}
	if len(listed) != 10 {
		t.Errorf("Platforms has %d keys, want 10", len(listed))
	}
}

// The built-in flow's intimate_images fact, which the evidence log reads,
// holds exactly when the user said intimate images were spread.
func TestFactIntimateImages(t *testing.T) {
	f := loadDefault(t)
	st := flows.State{Flow: f.ID, Version: f.Version, Node: "q1_what", Answers: map[string]flows.Answer{}}
	if f.FactHolds(st, "intimate_images", now) {
		t.Error("intimate_images holds before q1_what is answered")
	}
	st.Answers["q1_what"] = flows.Answer{Choices: []string{"abuse"}}
	if f.FactHolds(st, "intimate_images", now) {
		t.Error("intimate_images holds for abuse alone")
	}
	st.Answers["q1_what"] = flows.Answer{Choices: []string{"abuse", "intimate"}}
	if !f.FactHolds(st, "intimate_images", now) {
		t.Error("intimate_images does not hold when intimate images were spread")
	}
	if f.FactHolds(st, "no_such_fact", now) || f.FactHolds(flows.State{Flow: "other"}, "intimate_images", now) {
		t.Error("Fact is true for an unknown fact or another flow")
	}
}
