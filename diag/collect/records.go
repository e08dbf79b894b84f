package collect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Record batch (magic 2) layout: the offsets the decoder reads directly.
const (
	batchLengthAt  = 8  // int32: bytes after this field
	batchMagicAt   = 16 // int8
	batchCRCFrom   = 21 // the CRC-32C covers everything from the attributes on
	batchHeaderLen = 61 // the header up to the records
	// Batch attributes.
	attrCodec         = 0x07
	attrLogAppendTime = 0x08
	attrControl       = 0x20
)

var errBadRecord = errors.New("corrupt record in a record batch")

// firstTimestamp returns the timestamp of the first record at or after the
// target's offset in a partition's answer, 0 when there is none. A fetch
// returns the whole batch holding the offset, records before it included;
// control batches (transaction markers) are skipped; a batch cut off at the
// size limit ends the answer. Only each record's offset and timestamp deltas
// are read, not its key, value or headers: on 25,000 committed offsets,
// decoding whole records was most of the client's time. Message sets of the
// old formats (magic 0 and 1) go through franz-go's full decoder.
func firstTimestamp(t *lagTarget, rp *kmsg.FetchResponseTopicPartition, dec kgo.Decompressor) (int64, error) {
	in := rp.RecordBatches
	for len(in) >= batchHeaderLen {
		size := 12 + int(int32(binary.BigEndian.Uint32(in[batchLengthAt:])))
		switch {
		case in[batchMagicAt] != 2:
			return legacyTimestamp(t, rp, dec)
		case size < batchHeaderLen:
			return 0, fmt.Errorf("record batch of %d bytes", size)
		case size > len(in):
			return 0, nil // cut off at the size limit
		}
		raw := in[:size]
		in = in[size:]
		var b kmsg.RecordBatch
		if err := b.UnsafeReadFrom(raw); err != nil {
			return 0, err
		}
		if crc32.Checksum(raw[batchCRCFrom:], crc32.MakeTable(crc32.Castagnoli)) != uint32(b.CRC) {
			return 0, errors.New("record batch CRC mismatch")
		}
		if b.Attributes&attrControl != 0 || b.FirstOffset+int64(b.LastOffsetDelta) < t.offset {
			continue
		}
		ts, ok, err := batchTimestamp(&b, t.offset, dec)
		if err != nil || ok {
			return ts, err
		}
	}
	return 0, nil
}

// batchTimestamp is the timestamp of the first record of b at or after
// offset, and whether there is one. Under LogAppendTime every record has
// the broker's time, the batch's MaxTimestamp.
func batchTimestamp(b *kmsg.RecordBatch, offset int64, dec kgo.Decompressor) (int64, bool, error) {
	records, err := dec.Decompress(b.Records, kgo.CompressionCodecType(b.Attributes&attrCodec))
	if err != nil {
		return 0, false, err
	}
	for range b.NumRecords {
		// length varint, then attributes int8, timestamp delta varlong,
		// offset delta varint: Kafka's varints are zigzag, as Go's.
		length, n := binary.Varint(records)
		if n <= 0 || length < 1 || length > int64(len(records)-n) {
			return 0, false, errBadRecord
		}
		rec := records[n+1 : n+int(length)]
		records = records[n+int(length):]
		tsDelta, n := binary.Varint(rec)
		if n <= 0 {
			return 0, false, errBadRecord
		}
		offDelta, m := binary.Varint(rec[n:])
		if m <= 0 {
			return 0, false, errBadRecord
		}
		if b.FirstOffset+offDelta < offset {
			continue
		}
		if b.Attributes&attrLogAppendTime != 0 {
			return b.MaxTimestamp, true, nil
		}
		return b.FirstTimestamp + tsDelta, true, nil
	}
	return 0, false, nil
}

// legacyTimestamp reads message sets of magic 0 and 1 (no timestamp before
// magic 1) with franz-go's decoder.
func legacyTimestamp(t *lagTarget, rp *kmsg.FetchResponseTopicPartition, dec kgo.Decompressor) (int64, error) {
	fp, _ := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{Offset: t.offset, Topic: t.topic, Partition: t.partition}, rp, dec, nil)
	for _, r := range fp.Records {
		if r.Offset >= t.offset && r.Timestamp.UnixMilli() > 0 {
			return r.Timestamp.UnixMilli(), nil
		}
	}
	return 0, fp.Err
}
