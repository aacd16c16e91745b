using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Clearwing.Disclosure;
using CsCheck;

namespace Clearwing.Tests.Disclosure;

public sealed class CanonicalJsonTests
{
    static string Jcs(string json) => Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

    static CanonicalJsonException Refused(string json) =>
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void The_RFC_8785_example_canonicalizes_to_the_RFC_output()
    {
        // RFC 8785 §3.2.2 (input) and §3.2.3 (output).
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        Assert.Equal("""{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""", Jcs(input));
    }

    [Fact]
    public void Keys_sort_by_UTF_16_code_units_as_in_the_RFC_sorting_example()
    {
        // RFC 8785 §3.2.3: U+1F600 (a surrogate pair, D83D DE00) sorts before U+FB33, though its code point is larger.
        const string input = """
            { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" }
            """;
        var values = JsonDocument.Parse(Jcs(input)).RootElement.EnumerateObject().Select(p => p.Value.GetString()).ToList();
        Assert.Equal(["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
            "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"], values);
        Assert.StartsWith("{\"\\r\":\"Carriage Return\",\"1\":\"One\",", Jcs(input));
    }

    // Input/output pairs from cyberphone/json-canonicalization, testdata/input and testdata/output (the RFC author's
    // reference test data), whitespace of the inputs shortened.
    [Theory]
    [InlineData("""[ 56, { "d": true, "10": null, "1": [ ] } ]""", """[56,{"1":[],"10":null,"d":true}]""")]
    [InlineData("""{ "peach": "This sorting order", "péché": "is wrong according to French", "pêche": "but canonicalization MUST", "sin": "ingnore locale" }""",
        """{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}""")]
    [InlineData("""{ "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0}, "10": { }, "": "empty", "a": { }, "111": [ { } ], "A": { } }""",
        """{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}""")]
    [InlineData("""{ "Unnormalized Unicode":"\u1e0d\u0307" }""", "{\"Unnormalized Unicode\":\"\u1e0d\u0307\"}")]
    [InlineData("""{ "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001], "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false] }""",
        """{"escaping":"€$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}""")]
    [InlineData("""{ "\u20ac": "Euro Sign", "1": "One", "\u0080": "Control\u007f", "\ud83d\ude02": "Smiley", "\u00f6": "Latin Small Letter O With Diaeresis", "\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge" }""",
        "{\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\u0080\":\"Control\u007f\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude02\":\"Smiley\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}")]
    public void The_reference_test_data_canonicalizes_to_its_expected_output(string input, string expected) =>
        Assert.Equal(expected, Jcs(input));

    // RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialization.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Numbers_serialize_as_in_RFC_8785_appendix_B(string bits, string expected) =>
        Assert.Equal(expected, CanonicalJson.FormatNumber(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(bits)))));

    [Theory]
    [InlineData("7fffffffffffffff")]
    [InlineData("7ff0000000000000")]
    [InlineData("fff0000000000000")]
    public void NaN_and_infinities_from_appendix_B_are_refused(string bits) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalJson.FormatNumber(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(bits)))));

    [Theory]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1e-6", "0.000001")]
    [InlineData("-0", "0")]
    [InlineData("-0.0e5", "0")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("1E30", "1e+30")]
    [InlineData("4.50", "4.5")]
    [InlineData("56.0", "56")]
    [InlineData("-1.5E-10", "-1.5e-10")]
    [InlineData("123456789012345678901234567890", "1.2345678901234568e+29")]
    [InlineData("1e-400", "0")]
    public void Number_spellings_become_the_ECMAScript_form(string number, string expected) =>
        Assert.Equal($"[{expected}]", Jcs($"[{number}]"));

    [Fact]
    public void A_number_beyond_double_range_is_refused_naming_its_path()
    {
        var e = Refused("""{"cvss": {"score": 1e400}}""");
        Assert.Equal("$.cvss.score", e.JsonPath);
        Assert.Contains("1e400", e.Reason);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("[Infinity]")]
    [InlineData("[-Infinity]")]
    [InlineData("{\"a\": 1,}")]
    [InlineData("// comment\n{}")]
    [InlineData("{} {}")]
    [InlineData("")]
    public void Text_that_is_not_JSON_is_refused(string text) => Assert.Equal("$", Refused(text).JsonPath);

    [Fact]
    public void A_duplicate_key_is_refused_naming_the_key_and_where_it_is()
    {
        var e = Refused("""{"affected": [{"vendor": "a", "product": "p", "vendor": "b"}]}""");
        Assert.Equal("$.affected[0].vendor", e.JsonPath);
        Assert.Contains("duplicate key \"vendor\"", e.Reason);
        Assert.Equal("$['odd key']", Refused("""{"odd key": 1, "odd key": 1}""").JsonPath);
    }

    [Fact]
    public void A_lone_surrogate_is_refused()
    {
        Assert.Equal("$.title", Refused("""{"title": "abc\ud800"}""").JsonPath);
        Assert.Equal("$", Refused("""{"\udc00": 1}""").JsonPath);
    }

    [Fact]
    public void Only_quote_backslash_and_control_characters_are_escaped_in_lowercase_hex()
    {
        Assert.Equal("[\"\\u0000\\u001f\\b\\t\\n\\f\\r\u007f/<>&'+\u2028\u00e9\"]", Jcs("""["\u0000\u001F\b\t\n\f\r\u007f\/\u003c>&'+\u2028\u00e9"]"""));
        // UTF-8 out, no byte order mark.
        Assert.Equal(new byte[] { (byte)'"', 0xc3, 0xa9, (byte)'"' }, CanonicalJson.Canonicalize("\"\\u00e9\""u8));
    }

    static readonly Gen<string> Text = Gen.OneOf(
            Gen.String[Gen.Char["abcAZ09 _\"\\/\u0000\u0001\u001f\u007f\u0080éö€\ufb33\u2028"], 0, 6],
            Gen.OneOf("😀", "😂", "\r", "10", "1", ""))
        .Array[0, 3].Select(parts => string.Concat(parts));

    static readonly Gen<string> Number = Gen.OneOf(
        Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Select(Gen.Int[-99999, 99999], Gen.Int[-340, 300]).Select((m, e) => $"{m}e{e}"),
        Gen.Select(Gen.Int[0, 9999], Gen.Int[0, 999]).Select((i, f) => $"{i}.{f}0"));

    /// <summary>Any JSON text: strings with escapes and non-ASCII, every number spelling, nesting up to four deep.</summary>
    static readonly Gen<string> Json = Gen.Recursive<string>((depth, json) =>
    {
        var leaf = Gen.OneOf(Text.Select(s => JsonSerializer.Serialize(s)), Number, Gen.OneOf("true", "false", "null"));
        if (depth >= 4) return leaf;
        var array = json.Array[0, 4].Select(items => "[ " + string.Join(" , ", items) + " ]");
        var obj = Gen.Select(Text, json).Array[0, 5].Select(members => "{" + string.Join(",", members
            .DistinctBy(m => m.Item1, StringComparer.Ordinal)
            .Select(m => $"\n  {JsonSerializer.Serialize(m.Item1)} : {m.Item2}")) + "}");
        return Gen.OneOf(leaf, array, obj);
    });

    [Fact]
    public void Canonical_JSON_parsed_and_canonicalized_again_is_the_same_bytes()
    {
        Json.Sample(json =>
        {
            var once = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json));
            Assert.Equal(once, CanonicalJson.Canonicalize(once));
        }, iter: 10_000);
    }

    [Fact]
    public void Member_order_and_spelling_do_not_change_the_canonical_bytes()
    {
        Gen.Select(Gen.Select(Text, Number).Array[1, 6], Gen.Int).Sample((members, seed) =>
        {
            var distinct = members.DistinctBy(m => m.Item1, StringComparer.Ordinal).ToList();
            string Object(IEnumerable<(string Key, string Value)> ms) => "{" + string.Join(",", ms.Select(m => $"{JsonSerializer.Serialize(m.Key)}:{m.Value}")) + "}";
            var random = new Random(seed);
            var shuffled = distinct.OrderBy(_ => random.Next()).ToList();
            // The relaxed encoder writes non-ASCII raw where the default one escapes it: the same strings, spelled differently.
            var respelled = "{" + string.Join(" ,\t", shuffled.Select(m =>
                $"{JsonSerializer.Serialize(m.Item1, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })} : {m.Item2} ")) + "}";
            Assert.Equal(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(Object(distinct))), CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(respelled)));
        }, iter: 10_000);
    }
}
