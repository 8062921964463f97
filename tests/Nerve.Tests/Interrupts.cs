using System.Runtime.InteropServices;

namespace Nerve.Tests;

/// <summary>
/// SIGINT's disposition in the test process. A command started in the background by a non-interactive shell (as
/// `cmd &amp;` in a script) begins with SIGINT ignored, and POSIX passes an ignored signal on to every child: a `nerve`
/// started from such a test run would ignore Ctrl+C, as it should there, and a test of its Ctrl+C handling would hang.
/// </summary>
internal static partial class Interrupts
{
    private const int SigInt = 2;
    private static readonly IntPtr SigIgn = 1;

    /// <summary>If SIGINT is ignored here (inherited), restores its default so that children receive it; else changes nothing.</summary>
    public static void DeliverToChildren()
    {
        if (!OperatingSystem.IsLinux()) return;
        // struct sigaction (x86-64 and arm64 glibc): the handler first, then the mask and flags; 256 bytes cover it.
        var current = new byte[256];
        if (Sigaction(SigInt, null, current) != 0) return;
        if (BitConverter.ToInt64(current, 0) != SigIgn) return; // the runtime's handler or the default: leave it
        var deflt = new byte[256]; // SIG_DFL (0), empty mask, no flags
        if (Sigaction(SigInt, deflt, null) != 0)
            throw new InvalidOperationException("sigaction(SIGINT, SIG_DFL) failed: " + Marshal.GetLastPInvokeError());
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int Sigaction(int signal, byte[]? action, byte[]? old);
}
