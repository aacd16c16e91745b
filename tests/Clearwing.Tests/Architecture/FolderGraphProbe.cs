namespace Clearwing.Tests.Architecture;

public sealed class FolderGraphProbe
{
    [Fact]
    public void Print()
    {
        var core = typeof(Clearwing.Storage.Database).Assembly;
        var lines = new List<string>();
        foreach (var (type, used) in TypeReferences.Of(core))
        {
            var from = Folder(type);
            foreach (var u in used.Where(u => u.Assembly == core))
            {
                var to = Folder(u);
                if (from != to) lines.Add($"{from} -> {to}: {type.Name} uses {u.Name}");
            }
        }
        File.WriteAllLines("/tmp/folder-graph.txt", lines.Distinct().Order());
    }

    static string Folder(Type t) => (t.Namespace ?? "").Split('.') is var parts && parts.Length > 1 ? parts[1] : "(root)";
}
