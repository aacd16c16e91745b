using System.Text;
using CsCheck;

namespace Clearwing.Tests;

/// <summary>Property tests of readers of small documents (intake policies, campaign files): a valid document, damaged.</summary>
internal static class Damage
{
    /// <summary>
    /// Reads 10,000 copies of <paramref name="valid"/>, each cut short or with one byte changed: each must read, or be refused as
    /// malformed input naming a path — never another error.
    /// </summary>
    public static void Check(string valid, Action<string> read)
    {
        var bytes = Encoding.UTF8.GetBytes(valid);
        var truncated = Gen.Int[0, bytes.Length - 1].Select(n => bytes[..n]);
        var mutated = Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte).Select((i, b) =>
        {
            var copy = (byte[])bytes.Clone();
            copy[i] = b;
            return copy;
        });
        Gen.OneOf(truncated, mutated).Sample(damaged =>
        {
            try
            {
                read(Encoding.UTF8.GetString(damaged));
            }
            catch (MalformedInputException e)
            {
                Assert.False(string.IsNullOrEmpty(e.JsonPath));
            }
        }, iter: 10_000);
    }
}
