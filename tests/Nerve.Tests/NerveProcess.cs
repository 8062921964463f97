using System.Diagnostics;
using System.Text;

namespace Nerve.Tests;

/// <summary>The built `nerve` program, run as a user runs it: exit code, stdout and stderr.</summary>
internal static class NerveProcess
{
    public static (int Code, string Out, string Err) Run(string? stdin, params string[] args)
        => RunProgram("dotnet", stdin, TimeSpan.FromMinutes(2), [Path.Combine(AppContext.BaseDirectory, "Nerve.Cli.dll"), .. args]);

    /// <summary>Any program (e.g. the single-file `nerve` of scripts/publish.sh), stdin written as UTF-8 without a BOM; it must end within <paramref name="bound"/>.</summary>
    public static (int Code, string Out, string Err) RunProgram(string program, string? stdin, TimeSpan bound, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(bound), $"{program} did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
