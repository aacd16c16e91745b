using System.Globalization;
using System.Security.Cryptography;

namespace Clearwing;

/// <summary>
/// A case's public id: 32 lowercase hex digits (128 bits). A minted id is the time it was minted (11 digits, Unix
/// milliseconds), the case's number within the import or edit that opened it (5 digits) and 64 random bits (16 digits).
/// The random part makes ids impossible to guess or enumerate; the ordered prefix makes a million new ids append to
/// their unique index instead of landing all over it (several times faster on SQLite). Both engines mint this format
/// (<c>Storage/IntakeWriter</c> mints them for both). Any 32 lowercase hex digits parse, such as ids
/// minted wholly at random before this format; the default value is the id of zeros.
/// </summary>
internal readonly record struct CaseId : IComparable<CaseId>
{
    /// <summary>Hex digits in an id.</summary>
    public const int Length = 32;

    // The first and last 64 bits: time and number, then the random part.
    readonly ulong _high, _low;

    public static bool operator <(CaseId a, CaseId b) => a.CompareTo(b) < 0;
    public static bool operator <=(CaseId a, CaseId b) => a.CompareTo(b) <= 0;
    public static bool operator >(CaseId a, CaseId b) => a.CompareTo(b) > 0;
    public static bool operator >=(CaseId a, CaseId b) => a.CompareTo(b) >= 0;

    CaseId(ulong high, ulong low) => (_high, _low) = (high, low);

    /// <summary>A new id for a case opened at <paramref name="now"/> (Unix ms) as number <paramref name="number"/> of its import (from 0).</summary>
    public static CaseId Mint(long now, long number) => Mint(now, number, NextRandom());

    /// <summary>A new id with the given random part (tests).</summary>
    internal static CaseId Mint(long now, long number, ulong random) =>
        new(((ulong)now & 0xFFF_FFFF_FFFF) << 20 | ((ulong)number & 0xF_FFFF), random);

    /// <summary>Reads an id; <see cref="FormatException"/> unless it is 32 lowercase hex digits.</summary>
    public static CaseId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"A case id is {Length} lowercase hex digits, not '{text}'.");

    /// <summary>Reads an id; false unless <paramref name="text"/> is 32 lowercase hex digits.</summary>
    public static bool TryParse(string? text, out CaseId id)
    {
        id = default;
        if (text is not { Length: Length } || !text.All(char.IsAsciiHexDigitLower)) return false;
        id = new CaseId(ulong.Parse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
            ulong.Parse(text.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>Ids in the order of their digits: minted ids by time, then number within their import.</summary>
    public int CompareTo(CaseId other) => _high != other._high ? _high.CompareTo(other._high) : _low.CompareTo(other._low);

    /// <summary>The 32 lowercase hex digits.</summary>
    public override string ToString() =>
        string.Create(Length, (_high, _low), static (digits, id) =>
        {
            id._high.TryFormat(digits, out _, "x16", CultureInfo.InvariantCulture);
            id._low.TryFormat(digits[16..], out _, "x16", CultureInfo.InvariantCulture);
        });

    static ulong NextRandom()
    {
        // The OS random source costs microseconds a call; draw it 8 KiB at a time, each byte used once.
        var pool = RandomPool ??= new byte[8192];
        if (RandomUsed == 0) RandomNumberGenerator.Fill(pool);
        var random = BitConverter.ToUInt64(pool, RandomUsed);
        RandomUsed = (RandomUsed + 8) % pool.Length;
        return random;
    }

    [ThreadStatic] static byte[]? RandomPool;
    [ThreadStatic] static int RandomUsed;
}
