package words

import "testing"

func TestWords(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"plural of none", Plural(0, "partition", "partitions"), "0 partitions"},
		{"plural of one", Plural(1, "partition", "partitions"), "1 partition"},
		{"plural of many", Plural(3, "broker is", "brokers are"), "3 brokers are"},
		{"dash for empty", OrDash(""), "-"},
		{"no dash for text", OrDash("x"), "x"},
		{"capitalize", Capitalize("broker 1 is down"), "Broker 1 is down"},
		{"capitalize empty", Capitalize(""), ""},
		{"yes", YesNo(true), "yes"},
		{"no", YesNo(false), "no"},
		{"ids in prose", JoinIDs([]int32{1, 2, 3}, ", "), "1, 2, 3"},
		{"replica set", JoinIDs([]int32{3, 1, 2}, ","), "3,1,2"},
		{"no ids", JoinIDs(nil, ","), ""},
		{"negative id", JoinIDs([]int32{-1}, ","), "-1"},
		{"short sample", Sample([]string{"a", "b"}, 2), "a, b"},
		{"long sample", Sample([]string{"a", "b", "c", "d"}, 2), "a, b and 2 more"},
		{"empty sample", Sample(nil, 5), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
