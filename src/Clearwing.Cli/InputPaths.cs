namespace Clearwing.Cli;

/// <summary>The files a verb is given on the command line: a missing one and a folder are bad input, each said for what it is.</summary>
static class InputPaths
{
    public static void RequireFile(FileInfo file)
    {
        if (file.Exists) return;
        if (Directory.Exists(file.FullName))
            throw new BadInputException(
                $"{file.FullName} is a folder, not a file: name the files in it (for example {Path.Combine(file.FullName, "*")})");
        throw new FileNotFoundException($"No such file: {file.FullName}");
    }
}
