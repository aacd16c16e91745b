using CsCheck;

namespace Clearwing.Tests;

public sealed class CaseIdTests
{
    [Fact]
    public void A_minted_id_is_the_time_then_the_number_then_64_random_bits_in_32_lowercase_hex_digits()
    {
        var id = CaseId.Mint(0x19C_2A3B_4C5D, 0x1F, 0x0123_4567_89AB_CDEF).ToString();

        Assert.Equal("19c2a3b4c5d" + "0001f" + "0123456789abcdef", id);
    }

    [Fact]
    public void Only_the_low_44_bits_of_the_time_and_20_of_the_number_are_kept()
    {
        Assert.Equal("fffffffffff" + "fffff" + "0000000000000000", CaseId.Mint(-1, -1, 0).ToString());
        Assert.Equal("00000000000" + "00001" + "0000000000000000", CaseId.Mint(1L << 44, (1L << 20) + 1, 0).ToString());
    }

    [Fact]
    public void Ids_minted_later_or_later_in_an_import_sort_after_earlier_ones()
    {
        var ids = new[] { CaseId.Mint(1000, 0), CaseId.Mint(1000, 1), CaseId.Mint(1000, 2), CaseId.Mint(1001, 0) };

        Assert.Equal(ids, ids.OrderBy(id => id.ToString(), StringComparer.Ordinal));
        Assert.Equal(ids, ids.Order());
    }

    [Fact]
    public void Minted_ids_differ_in_their_random_part()
    {
        var tails = Enumerable.Range(0, 1000).Select(_ => CaseId.Mint(1000, 0).ToString()[16..]).ToList();

        Assert.Equal(tails.Count, tails.Distinct().Count());
        // Random tails use every hex digit in every position; a counter would not.
        Assert.Equal(16, tails.Select(t => t[0]).Distinct().Count());
        Assert.Equal(16, tails.Select(t => t[15]).Distinct().Count());
    }

    [Fact]
    public void Parse_of_ToString_is_the_same_id() =>
        Gen.Select(Gen.Long, Gen.Long, Gen.ULong).Sample((now, number, random) =>
        {
            var id = CaseId.Mint(now, number, random);
            Assert.Equal(id, CaseId.Parse(id.ToString()));
        }, iter: 10_000);

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("00000000000000000000000000000000")]
    public void Any_32_lowercase_hex_digits_are_an_id(string text)
    {
        Assert.True(CaseId.TryParse(text, out var id));
        Assert.Equal(text, id.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    [InlineData(" 123456789abcdef0123456789abcdef")]
    [InlineData("+123456789abcdef0123456789abcdef")]
    public void Anything_else_is_not(string? text)
    {
        Assert.False(CaseId.TryParse(text, out _));
        if (text is not null) Assert.Throws<FormatException>(() => CaseId.Parse(text));
    }

    [Fact]
    public void The_default_id_is_the_id_of_zeros() =>
        Assert.Equal(CaseId.Parse(new string('0', 32)), default);
}
