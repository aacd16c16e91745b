namespace Clearwing.Packages;

/// <summary>
/// Maven's ComparableVersion (maven-artifact 3.8.6, the fixture's generator): the lower-cased version is split at '.',
/// '-' and digit/letter transitions into nested lists ('-' and transitions open a sub-list); numbers compare numerically,
/// qualifiers in the order alpha &lt; beta &lt; milestone &lt; rc = cr &lt; snapshot &lt; "" = ga = final = release &lt; sp,
/// then unknown qualifiers alphabetically; a, b and m directly followed by a digit mean alpha, beta and milestone; trailing
/// "null" items (0, "", empty lists) are dropped. Maven accepts any string; empty text, whitespace, control and non-ASCII
/// characters are unreadable here.
/// </summary>
internal sealed class MavenScheme : VersionScheme<MavenScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, ListItem items) : ParsedVersion(scheme, text)
    {
        public readonly ListItem Items = items;
    }

    internal abstract class Item
    {
        public abstract bool IsNull { get; }
        /// <summary>Compares with <paramref name="other"/>, where null stands for the item a shorter list lacks.</summary>
        public abstract int CompareTo(Item? other);
    }

    internal sealed class IntItem(string digits) : Item
    {
        public readonly string Digits = digits;
        public override bool IsNull => Digits == "0";
        public override int CompareTo(Item? other) => other switch
        {
            null => IsNull ? 0 : 1,
            IntItem i => Packages.Digits.Compare(Digits, i.Digits),
            _ => 1, // a number is above a qualifier (1.1 > 1-sp) and a sub-list (1.1 > 1-1)
        };
    }

    internal sealed class StringItem : Item
    {
        static readonly string[] Qualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
        const string ReleaseIndex = "5";

        public readonly string Value;
        /// <summary>The qualifier's index as text, or "7-" + the qualifier when unknown: ComparableVersion's comparableQualifier.</summary>
        readonly string _comparable;

        public StringItem(string value, bool followedByDigit)
        {
            if (followedByDigit && value.Length == 1)
                value = value switch { "a" => "alpha", "b" => "beta", "m" => "milestone", _ => value };
            Value = value switch { "ga" or "final" or "release" => "", "cr" => "rc", _ => value };
            var index = Array.IndexOf(Qualifiers, Value);
            _comparable = index >= 0 ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Qualifiers.Length}-{Value}";
        }

        public override bool IsNull => _comparable == ReleaseIndex;

        public override int CompareTo(Item? other) => other switch
        {
            null => Math.Sign(string.CompareOrdinal(_comparable, ReleaseIndex)),
            StringItem s => Math.Sign(string.CompareOrdinal(_comparable, s._comparable)),
            _ => -1, // below numbers and sub-lists
        };
    }

    internal sealed class ListItem : Item
    {
        public readonly List<Item> Items = [];
        public override bool IsNull => Items.Count == 0;

        public override int CompareTo(Item? other)
        {
            switch (other)
            {
                case null:
                    return Items.Count == 0 ? 0 : Items[0].CompareTo(null);
                case IntItem:
                    return -1;
                case StringItem:
                    return 1;
                case ListItem list:
                    var n = Math.Max(Items.Count, list.Items.Count);
                    for (var k = 0; k < n; k++)
                    {
                        var l = k < Items.Count ? Items[k] : null;
                        var r = k < list.Items.Count ? list.Items[k] : null;
                        var c = l is null ? (r is null ? 0 : -r.CompareTo(null)) : l.CompareTo(r);
                        if (c != 0) return c;
                    }
                    return 0;
                default:
                    throw new InvalidOperationException();
            }
        }

        /// <summary>Drops trailing null items, stopping at the first non-null item that is not a list.</summary>
        public void Normalize()
        {
            for (var k = Items.Count - 1; k >= 0; k--)
            {
                if (Items[k].IsNull) Items.RemoveAt(k);
                else if (Items[k] is not ListItem) break;
            }
        }
    }

    public override string Name => "Maven";

    protected override Version? Parse(string text, out string? error)
    {
        if (!Digits.IsPrintableAscii(text, out error)) return null;
        var version = text.ToLowerInvariant();
        var root = new ListItem();
        var list = root;
        var stack = new Stack<ListItem>();
        stack.Push(root);
        var isDigit = false;
        var start = 0;
        for (var i = 0; i < version.Length; i++)
        {
            var c = version[i];
            if (c is '.' or '-')
            {
                list.Items.Add(i == start ? new IntItem("0") : ParseItem(isDigit, version[start..i]));
                start = i + 1;
                if (c == '-') list = Open(list, stack);
            }
            else if (Digits.Is(c))
            {
                if (!isDigit && i > start)
                {
                    list.Items.Add(new StringItem(version[start..i], followedByDigit: true));
                    start = i;
                    list = Open(list, stack);
                }
                isDigit = true;
            }
            else
            {
                if (isDigit && i > start)
                {
                    list.Items.Add(ParseItem(true, version[start..i]));
                    start = i;
                    list = Open(list, stack);
                }
                isDigit = false;
            }
        }
        if (version.Length > start) list.Items.Add(ParseItem(isDigit, version[start..]));
        while (stack.Count > 0) stack.Pop().Normalize();
        return new Version(this, text, root);

        static ListItem Open(ListItem list, Stack<ListItem> stack)
        {
            var sub = new ListItem();
            list.Items.Add(sub);
            stack.Push(sub);
            return sub;
        }
    }

    static Item ParseItem(bool isDigit, string buffer) =>
        isDigit ? new IntItem(Digits.Strip(buffer)) : new StringItem(buffer, followedByDigit: false);

    protected override int Order(Version a, Version b) => a.Items.CompareTo(b.Items);
}
