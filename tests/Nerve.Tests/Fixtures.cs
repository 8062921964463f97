namespace Nerve.Tests;

/// <summary>Locates files under tests/fixtures of the repository the tests were built from.</summary>
internal static class Fixtures
{
    public static string Path(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Nerve.slnx")))
            dir = dir.Parent;
        if (dir is null)
            throw new InvalidOperationException("no folder containing Nerve.slnx above " + AppContext.BaseDirectory);
        return System.IO.Path.Combine([dir.FullName, "tests", "fixtures", .. parts]);
    }
}
