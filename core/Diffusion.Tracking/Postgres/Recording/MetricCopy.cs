using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// Sends metric rows with PostgreSQL's binary COPY, encoding the rows itself (the COPY binary format: a header, then
/// per row a field count and each field as a length and big-endian bytes, NULL as length -1; a -1 trailer). Encoding
/// into one buffer costs a fraction of a per-field typed write, and a metric row is what a run writes most.
/// </summary>
internal sealed class MetricCopy
{
    public const string Command = "COPY metrics (run_id, key, step, value, time) FROM STDIN (FORMAT BINARY)";

    /// <summary>The signature <c>PGCOPY\n\377\r\n\0</c>, then 32-bit flags and header-extension length, both 0.</summary>
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly byte[] _runId;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    public MetricCopy(string runId) => _runId = Encoding.UTF8.GetBytes(runId);

    /// <summary>Copies <paramref name="rows"/> (NaN as NULL) in one COPY on <paramref name="connection"/>.</summary>
    public void Send(NpgsqlConnection connection, IReadOnlyList<PendingMetric> rows)
    {
        _length = 0;
        Append(Header);
        foreach (var row in rows)
        {
            var key = Key(row.Key);
            Reserve(2 + (4 + _runId.Length) + (4 + key.Length) + (4 * 3) + (8 * 3));
            Int16(5);
            Text(_runId);
            Text(key);
            Int64Field(row.Step);
            if (double.IsNaN(row.Value))
            {
                Int32(-1);
            }
            else
            {
                Int32(8);
                BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_length), row.Value);
                _length += 8;
            }

            Int64Field(row.TimeMs);
        }

        Reserve(2);
        Int16(-1);
        using var stream = connection.BeginRawBinaryCopy(Command);
        stream.Write(_buffer, 0, _length);
    }

    private byte[] Key(string key)
    {
        if (!_keys.TryGetValue(key, out var bytes))
        {
            bytes = Encoding.UTF8.GetBytes(key);
            if (_keys.Count < 10_000)
            {
                _keys[key] = bytes;
            }
        }

        return bytes;
    }

    private void Text(byte[] bytes)
    {
        Int32(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Int64Field(long value)
    {
        Int32(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    private void Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Int16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    private void Append(byte[] bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Reserve(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
