package collect

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// rawBatch encodes an uncompressed record batch (magic 2) from first, with
// one record per timestamp delta, its length and CRC-32C filled in.
func rawBatch(first int64, attrs int16, firstTS, maxTS int64, deltas ...int64) []byte {
	var recs []byte
	for i, d := range deltas {
		body := []byte{0} // attributes
		body = binary.AppendVarint(body, d)
		body = binary.AppendVarint(body, int64(i))
		body = binary.AppendVarint(body, -1) // no key
		body = binary.AppendVarint(body, 1)
		body = append(body, 'v')
		body = binary.AppendVarint(body, 0) // no headers
		recs = binary.AppendVarint(recs, int64(len(body)))
		recs = append(recs, body...)
	}
	b := kmsg.RecordBatch{FirstOffset: first, Magic: 2, Attributes: attrs, LastOffsetDelta: int32(len(deltas) - 1),
		FirstTimestamp: firstTS, MaxTimestamp: maxTS, ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1,
		NumRecords: int32(len(deltas)), Records: recs}
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[batchLengthAt:], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[17:], crc32.Checksum(raw[batchCRCFrom:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}

// TestFirstTimestamp: the record at or after the offset, in the batch
// holding it or a later one; control batches skipped; LogAppendTime gives
// the batch's time; a batch cut off at the size limit ends the answer; a
// corrupt batch is an error. Where franz-go's full decoder reads the same
// answer, it agrees.
func TestFirstTimestamp(t *testing.T) {
	data := rawBatch(100, 0, 1000, 1040, 0, 10, 20, 30, 40)
	control := rawBatch(105, attrControl, 2000, 2000, 0)
	later := rawBatch(106, 0, 3000, 3005, 0, 5)
	appendTime := rawBatch(108, attrLogAppendTime, 4000, 9999, 0, 1)
	bad := slices.Clone(later)
	bad[len(bad)-1] ^= 1
	join := func(parts ...[]byte) []byte { return slices.Concat(parts...) }
	for _, tc := range []struct {
		name    string
		answer  []byte
		offset  int64
		want    int64
		wantErr bool
	}{
		{"the first record", data, 100, 1000, false},
		{"in the middle of the batch", data, 102, 1020, false},
		{"past a control batch", join(data, control, later), 105, 3000, false},
		{"in a later batch", join(data, later), 107, 3005, false},
		{"log append time", appendTime, 109, 9999, false},
		{"nothing at or after", data, 105, 0, false},
		{"a batch cut off", data[:len(data)-3], 100, 0, false},
		{"after a cut-off batch", join(data, later[:20]), 106, 0, false},
		{"a CRC mismatch", bad, 106, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := &kmsg.FetchResponseTopicPartition{RecordBatches: tc.answer}
			target := &lagTarget{partitionKey: partitionKey{"orders", 0}, offset: tc.offset}
			got, err := firstTimestamp(target, rp, kgo.DefaultDecompressor())
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("firstTimestamp = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			fp, _ := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{Offset: tc.offset}, rp, kgo.DefaultDecompressor(), nil)
			full := int64(0)
			if len(fp.Records) > 0 {
				full = fp.Records[0].Timestamp.UnixMilli()
			}
			if full != got {
				t.Errorf("franz-go's decoder reads %d", full)
			}
		})
	}
}
