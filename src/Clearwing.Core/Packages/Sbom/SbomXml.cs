using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Clearwing.Findings;

namespace Clearwing.Packages;

/// <summary>
/// CycloneDX XML, in one streaming pass: each top-level element (and each component and dependency entry) is loaded on
/// its own and dropped. 1.6 is validated against its XML Schema as it streams; 1.5 and 1.7, which have no XML Schema in
/// our copy of the specification, are checked structurally (<see cref="Structure"/>) with the enumerations and
/// patterns taken from the same version's JSON Schema. Errors name the line and column.
/// </summary>
internal static partial class SbomXml
{
    const string NamespacePrefix = "http://cyclonedx.org/schema/bom/";

    /// <summary>The most one component or dependency entry may take, as in JSON (<see cref="SbomJson"/>).</summary>
    const long ItemLimit = 16 << 20;

    public static Sbom Read(string path, string file, SbomLimits limits)
    {
        var version = Probe(path, file);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true,
        };
        if (version == "1.6")
        {
            settings.ValidationType = ValidationType.Schema;
            settings.Schemas = SbomSchemas.XmlSchema16;
            settings.ValidationFlags = XmlSchemaValidationFlags.ProcessIdentityConstraints;
            settings.ValidationEventHandler += (_, e) =>
            {
                if (e.Severity == XmlSeverityType.Error)
                    throw new MalformedInputException(file, $"line {e.Exception.LineNumber}, column {e.Exception.LinePosition}", e.Message);
            };
        }
        var structure = version == "1.6" ? null : new Structure(file, version);
        XNamespace ns = NamespacePrefix + version;
        var graph = new SbomGraph(file, limits);
        string? serial = null, rootRef = null, rootName = null;
        using var meter = new Meter(File.OpenRead(path));
        using var reader = XmlReader.Create(meter, settings);
        long other = 0;
        try
        {
            reader.MoveToContent();
            serial = reader.GetAttribute("serialNumber");
            structure?.CheckRoot(reader);
            if (reader.IsEmptyElement) reader.Read();
            else
            {
                reader.Read();
                while (!reader.EOF)
                {
                    if (reader.NodeType != XmlNodeType.Element || reader.Depth != 1)
                    {
                        reader.Read();
                        continue;
                    }
                    switch (reader.LocalName)
                    {
                        case "components" when reader.NamespaceURI == ns.NamespaceName:
                            Items(reader, meter, file, e =>
                            {
                                structure?.Check(e);
                                Component(graph, e, ns, null);
                            });
                            break;
                        case "dependencies" when reader.NamespaceURI == ns.NamespaceName:
                            Items(reader, meter, file, e =>
                            {
                                structure?.Check(e);
                                Dependency(graph, e, ns);
                            });
                            break;
                        default:
                            var start = meter.Position;
                            var at = At(reader);
                            var element = meter.Bounded(limits.MaxOtherBytes - other, () => SbomJson.OtherTooLarge(
                                file, ["components", "dependencies"], limits.MaxOtherBytes, at), () => Load(reader));
                            other += meter.Position - start;
                            structure?.Check(element);
                            if (element.Name == ns + "metadata" && element.Element(ns + "component") is { } product)
                            {
                                rootRef = (string?)product.Attribute("bom-ref");
                                rootName = (string?)product.Element(ns + "name");
                            }
                            break;
                    }
                }
            }
        }
        catch (XmlException e) { throw new MalformedInputException(file, $"line {e.LineNumber}, column {e.LinePosition}", e.Message); }
        return graph.Build(SbomFormat.CycloneDxXml, version, serial, rootRef, rootName);
    }

    /// <summary>The version from the root element's namespace; anything but a CycloneDX 1.5–1.7 <c>bom</c> is refused.</summary>
    static string Probe(string path, string file)
    {
        using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        try
        {
            reader.MoveToContent();
        }
        catch (XmlException e) { throw new MalformedInputException(file, $"line {e.LineNumber}, column {e.LinePosition}", e.Message); }
        var at = reader is IXmlLineInfo info ? $"line {info.LineNumber}, column {info.LinePosition}" : "line 1";
        if (reader.LocalName != "bom" || !reader.NamespaceURI.StartsWith(NamespacePrefix, StringComparison.Ordinal))
            throw new MalformedInputException(file, at,
                $"not a CycloneDX document: the root element is {{{reader.NamespaceURI}}}{reader.LocalName}, expected {{{NamespacePrefix}1.x}}bom");
        var version = reader.NamespaceURI[NamespacePrefix.Length..];
        if (!SbomSchemas.CycloneDxVersions.Contains(version))
            throw new MalformedInputException(file, at,
                $"CycloneDX {version} (namespace {reader.NamespaceURI}) is not supported; expected 1.5, 1.6 or 1.7");
        return version;
    }

    /// <summary>
    /// Loads the child elements of the current element one at a time, each at most <see cref="ItemLimit"/> bytes; the
    /// reader ends after its end tag.
    /// </summary>
    static void Items(XmlReader reader, Meter meter, string file, Action<XElement> each)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }
        var depth = reader.Depth;
        reader.Read();
        while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth) && !reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                var at = At(reader);
                each(meter.Bounded(ItemLimit, () => new TooLargeException($"{file}: the element at {at} takes more than {ItemLimit:N0} bytes, " +
                    "the most one component or dependency entry may take"), () => Load(reader)));
            }
            else reader.Read();
        }
        reader.Read();
    }

    /// <summary>The current element, whole, with line numbers; the reader ends on the node after it.</summary>
    static XElement Load(XmlReader reader)
    {
        XElement element;
        using (var subtree = reader.ReadSubtree()) element = XElement.Load(subtree, LoadOptions.SetLineInfo);
        reader.Read();
        return element;
    }

    static string At(XmlReader r) => r is IXmlLineInfo i && i.HasLineInfo() ? $"line {i.LineNumber}, column {i.LinePosition}" : "line ?";

    /// <summary>
    /// The file under the XML reader, counting what it reads: an element is loaded whole, at many times its size, so how
    /// much of the file one load may take is bounded (to within the reader's buffer, a few KiB).
    /// </summary>
    sealed class Meter(Stream file) : Stream
    {
        long _stop = long.MaxValue;
        Func<Exception>? _tooLarge;

        public override long Position { get; set; }

        /// <summary>Runs <paramref name="load"/>, throwing <paramref name="tooLarge"/> once it reads more than <paramref name="bytes"/>.</summary>
        public T Bounded<T>(long bytes, Func<Exception> tooLarge, Func<T> load)
        {
            (_stop, _tooLarge) = (bytes >= long.MaxValue - Position ? long.MaxValue : Position + Math.Max(bytes, 0), tooLarge);
            try
            {
                return load();
            }
            finally
            {
                (_stop, _tooLarge) = (long.MaxValue, null);
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = file.Read(buffer, offset, count);
            Position += n;
            if (Position > _stop && _tooLarge is { } tooLarge) throw tooLarge();
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) file.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    static string At(XObject o) => o is IXmlLineInfo i && i.HasLineInfo() ? $"line {i.LineNumber}, column {i.LinePosition}" : "line ?";

    static void Component(SbomGraph graph, XElement e, XNamespace ns, int? parent)
    {
        if (e.Name != ns + "component") return;
        var purl = (string?)e.Element(ns + "purl");
        var index = graph.Add((string?)e.Attribute("bom-ref"), (string?)e.Element(ns + "name") ?? "", (string?)e.Element(ns + "version"), purl,
            () => At(e), SbomPurlKey.Of(purl));
        if (parent is { } p) graph.Contains(p, index);
        foreach (var child in e.Elements(ns + "components").Elements(ns + "component")) Component(graph, child, ns, index);
    }

    static void Dependency(SbomGraph graph, XElement e, XNamespace ns)
    {
        var from = (string?)e.Attribute("ref");
        if (from is null) return;
        foreach (var to in e.Elements(ns + "dependency"))
        {
            if ((string?)to.Attribute("ref") is { } target) graph.DependsOn(from, target);
            Dependency(graph, to, ns);
        }
    }

    /// <summary>
    /// The checks for XML versions without an XML Schema here (1.5, 1.7): the rules the specification's invalid test
    /// documents exercise — required and enumerated attributes, hash values, the licence choice, unique bom-refs,
    /// timestamps — with enumerations and patterns read from the version's JSON Schema. Not a full schema validation.
    /// </summary>
    sealed class Structure(string file, string version)
    {
        readonly XNamespace _ns = NamespacePrefix + version;
        readonly HashSet<string> _refs = new(StringComparer.Ordinal);
        readonly IReadOnlySet<string> _componentTypes = SbomSchemas.Enum(version, "definitions", "component", "properties", "type");
        readonly IReadOnlySet<string> _scopes = SbomSchemas.Enum(version, "definitions", "component", "properties", "scope");
        readonly IReadOnlySet<string> _hashAlgs = SbomSchemas.Enum(version, "definitions", "hash-alg");
        readonly IReadOnlySet<string> _encodings = SbomSchemas.Enum(version, "definitions", "attachment", "properties", "encoding");
        readonly IReadOnlySet<string> _patchTypes = SbomSchemas.Enum(version, "definitions", "patch", "properties", "type");
        readonly IReadOnlySet<string> _issueTypes = SbomSchemas.Enum(version, "definitions", "issue", "properties", "type");
        readonly IReadOnlySet<string> _flows = SbomSchemas.Enum(version, "definitions", "dataFlowDirection");
        readonly IReadOnlySet<string> _tlp = SbomSchemas.Enum(version, "definitions", "tlpClassification");
        readonly Regex _serial = new(SbomSchemas.Pattern(version, "properties", "serialNumber") ?? ".*");
        readonly Regex _hash = new(SbomSchemas.Pattern(version, "definitions", "hash-content") ?? ".*");

        void Fail(XObject at, string reason) => throw new MalformedInputException(file, At(at), reason);

        public void CheckRoot(XmlReader reader)
        {
            var at = reader is IXmlLineInfo i ? $"line {i.LineNumber}, column {i.LinePosition}" : "line 1";
            if (reader.GetAttribute("serialNumber") is { } serial && !_serial.IsMatch(serial))
                throw new MalformedInputException(file, at, $"serialNumber '{serial}' is not a urn:uuid (RFC 4122)");
        }

        public void Check(XElement element)
        {
            foreach (var e in element.DescendantsAndSelf())
            {
                if (e.Name.Namespace != _ns) continue;
                if (e.Attribute("bom-ref") is { } bomRef)
                {
                    if (bomRef.Value.Length == 0) Fail(e, "bom-ref must not be empty");
                    if (!_refs.Add(bomRef.Value)) Fail(e, $"bom-ref '{bomRef.Value}' is used twice: bom-refs are unique in a BOM");
                }
                switch (e.Name.LocalName)
                {
                    case "component" when e.Parent is null || e.Parent.Name.LocalName is "components" or "metadata":
                        if ((string?)e.Attribute("type") is not { } type) Fail(e, "a component needs a type attribute");
                        else if (_componentTypes.Count > 0 && !_componentTypes.Contains(type)) Fail(e, $"'{type}' is not a component type");
                        if (e.Element(_ns + "name") is null) Fail(e, "a component needs a name");
                        if (e.Element(_ns + "scope") is { } scope && _scopes.Count > 0 && !_scopes.Contains(scope.Value))
                            Fail(scope, $"'{scope.Value}' is not a scope");
                        if (e.Element(_ns + "versionRange") is { } range)
                        {
                            if (e.Element(_ns + "version") is not null) Fail(range, "a component has a version or a versionRange, not both");
                            if ((string?)e.Attribute("isExternal") is not ("true" or "1"))
                                Fail(range, "only an external component (isExternal=\"true\") may have a versionRange");
                        }
                        break;
                    case "hash" when e.Parent?.Name.LocalName == "hashes":
                        if ((string?)e.Attribute("alg") is not { } alg || (_hashAlgs.Count > 0 && !_hashAlgs.Contains(alg)))
                            Fail(e, $"'{(string?)e.Attribute("alg")}' is not a hash algorithm");
                        if (!_hash.IsMatch(e.Value.Trim())) Fail(e, $"'{e.Value.Trim()}' is not a hash value (hex digits of a known length)");
                        break;
                    // 1.7 lets XML mix licenses and expressions in one list; 1.5 does not.
                    case "licenses" when version == "1.5":
                        if (e.Elements(_ns + "expression").Any() && e.Elements(_ns + "license").Any())
                            Fail(e, "licenses hold either license elements or one expression, not both");
                        break;
                    case "license" when e.Parent?.Name.LocalName == "licenses":
                        var ids = e.Elements(_ns + "id").ToList();
                        var names = e.Elements(_ns + "name").ToList();
                        if (ids.Count + names.Count != 1) Fail(e, "a license has exactly one id or one name");
                        if (ids.Count == 1 && !SbomSchemas.SpdxLicenseIds.Contains(ids[0].Value.Trim()))
                            Fail(ids[0], $"'{ids[0].Value}' is not an SPDX license id");
                        break;
                    case "text" when e.Attribute("encoding") is { } encoding && _encodings.Count > 0 && !_encodings.Contains(encoding.Value):
                        Fail(e, $"'{encoding.Value}' is not an encoding");
                        break;
                    case "timestamp" when e.Parent?.Name.LocalName == "metadata":
                        if (!DateTimeOffset.TryParse(e.Value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
                            || !e.Value.Contains('T'))
                            Fail(e, $"'{e.Value}' is not a date-time");
                        break;
                    case "patch" when _patchTypes.Count > 0 && !_patchTypes.Contains((string?)e.Attribute("type") ?? ""):
                        Fail(e, $"'{(string?)e.Attribute("type")}' is not a patch type");
                        break;
                    case "issue" when _issueTypes.Count > 0 && !_issueTypes.Contains((string?)e.Attribute("type") ?? ""):
                        Fail(e, $"'{(string?)e.Attribute("type")}' is not an issue type");
                        break;
                    case "property" when e.Attribute("name") is null:
                        Fail(e, "a property needs a name attribute");
                        break;
                    case "classification" when e.Attribute("flow") is { } flow && _flows.Count > 0 && !_flows.Contains(flow.Value):
                        Fail(e, $"'{flow.Value}' is not a data flow direction");
                        break;
                    case "swid" when e.Attribute("tagId") is null || e.Attribute("name") is null:
                        Fail(e, "swid needs tagId and name attributes");
                        break;
                    case "dependency" when string.IsNullOrEmpty((string?)e.Attribute("ref")):
                        Fail(e, "a dependency needs a non-empty ref");
                        break;
                    case "tlp" when _tlp.Count > 0 && !_tlp.Contains(e.Value.Trim()):
                        Fail(e, $"'{e.Value}' is not a TLP classification");
                        break;
                    case "distribution" when e.Parent?.Name.LocalName == "metadata":
                        Fail(e, "metadata has no distribution element (distributionConstraints/tlp)");
                        break;
                    case "citation" when e.Elements(_ns + "attributedTo").Count() + e.Elements(_ns + "process").Count() is 0
                                         || e.Elements(_ns + "attributedTo").Count() > 1 || e.Elements(_ns + "process").Count() > 1:
                        Fail(e, "a citation has one attributedTo or one process (or one of each)");
                        break;
                }
            }
        }

    }
}
