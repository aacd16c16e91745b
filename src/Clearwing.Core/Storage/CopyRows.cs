using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace Clearwing.Storage;

/// <summary>
/// Rows already encoded as PostgreSQL's binary COPY tuples, in a pooled buffer: values are string, long, double or null (TEXT,
/// BIGINT, DOUBLE PRECISION), as for <see cref="BulkInsert"/>. Rows held this way are bytes, not objects, so holding a batch
/// back costs the garbage collector nothing, and sending it is one write. <see cref="Send"/> sends whole COPYs; a COPY that
/// stays open across batches is a <see cref="CopyStream"/>.
/// </summary>
internal sealed class CopyRows(int columns, int capacity) : IDisposable
{
    /// <summary>What a binary COPY starts with: the signature, no flags, no header extension.</summary>
    public static ReadOnlySpan<byte> Header =>
        [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', 0x0a, 0xff, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    /// <summary>What ends it: a tuple of -1 fields.</summary>
    public static ReadOnlySpan<byte> Trailer => [0xff, 0xff];

    byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; private set; }
    public int Rows { get; private set; }

    /// <summary>The encoded rows.</summary>
    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

    public void Add(object?[] row)
    {
        if (row.Length != columns) throw new ArgumentException($"The COPY takes {columns} values a row; {row.Length} were given.", nameof(row));
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(Length), (short)columns);
        Length += 2;
        foreach (var value in row)
        {
            switch (value)
            {
                case null:
                    Ensure(4);
                    BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(Length), -1);
                    Length += 4;
                    break;
                case string s:
                    Ensure(4 + Encoding.UTF8.GetMaxByteCount(s.Length));
                    var n = Encoding.UTF8.GetBytes(s, _buffer.AsSpan(Length + 4));
                    BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(Length), n);
                    Length += 4 + n;
                    break;
                case long l: AddEightBytes(l); break;
                // Big-endian, as the server reads a float8.
                case double d: AddEightBytes(BitConverter.DoubleToInt64Bits(d)); break;
                default: throw new ArgumentException($"Unsupported bulk value type {value.GetType()}");
            }
        }
        Rows++;
    }

    void AddEightBytes(long value)
    {
        Ensure(12);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(Length), 8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(Length + 4), value);
        Length += 12;
    }

    void Ensure(int bytes)
    {
        if (Length + bytes <= _buffer.Length) return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + bytes));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    /// <summary>One COPY of the rows into <paramref name="table"/>'s <paramref name="names"/>.</summary>
    public void Send(NpgsqlConnection connection, string table, string[] names)
    {
        using var copy = CopyStream.Start(connection, table, names);
        copy.Write(this);
        copy.Complete();
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>A binary COPY open on a connection, written <see cref="CopyRows"/> at a time; disposed without <see cref="Complete"/>,
/// cancelled.</summary>
internal sealed class CopyStream : IDisposable
{
    readonly NpgsqlRawCopyStream _stream;
    bool _completed;

    CopyStream(NpgsqlRawCopyStream stream) => _stream = stream;

    public static CopyStream Start(NpgsqlConnection connection, string table, string[] names)
    {
        var stream = connection.BeginRawBinaryCopy($"COPY {table} ({string.Join(", ", names)}) FROM STDIN (FORMAT BINARY)");
        stream.Write(CopyRows.Header);
        return new CopyStream(stream);
    }

    public void Write(CopyRows rows) => _stream.Write(rows.Bytes);

    public void Complete()
    {
        _stream.Write(CopyRows.Trailer);
        // Ended either way: the server's refusal, if any, is what this throws, and nothing is left to cancel.
        _completed = true;
        _stream.Dispose();
    }

    public void Dispose()
    {
        if (!_completed) _stream.Cancel();
        _stream.Dispose();
    }
}
