using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Nerve.IO;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same directory, is flushed to disk, then
/// renamed over the target. Readers see the old file or the new one, never a partial one. The target is checked first:
/// a regular file or a new path is replaced, a symbolic link is followed (its target is replaced), "-" and
/// "/dev/stdout" are standard output (written directly); a directory, device, FIFO or socket is refused, so no device
/// node is ever renamed over.
/// </summary>
public static partial class AtomicFile
{
    private static readonly ConcurrentDictionary<string, byte> Pending = new(StringComparer.Ordinal);
    private static volatile bool s_terminating;

    /// <summary>"-" and "/dev/stdout" mean standard output.</summary>
    public static bool IsStdout(string path) => path is "-" or "/dev/stdout";

    /// <summary>
    /// Fails unless <paramref name="path"/> can be replaced: standard output, a new path in an existing directory, or a
    /// regular file (through any symbolic links); and unless it is none of <paramref name="inputs"/> (compared as
    /// resolved full paths). Call it before any work starts.
    /// </summary>
    /// <param name="option">The option naming the output in messages, e.g. "--model".</param>
    /// <param name="inputs">The command's inputs and their options; null paths are skipped.</param>
    public static void CheckTarget(string path, string option, params (string? Path, string Option)[] inputs)
    {
        if (string.IsNullOrEmpty(path)) throw new NerveException($"{option}: expected a path, found an empty string");
        if (IsStdout(path)) return;
        string full = Resolve(path);
        var kind = Kind(full);
        if (kind is FileKind.Missing)
        {
            var dir = Path.GetDirectoryName(full);
            if (dir is not null && !Directory.Exists(dir))
                throw new NerveException($"{path}: cannot write: directory {dir} does not exist");
        }
        else if (kind is not FileKind.Regular)
        {
            throw new NerveException($"{path}: cannot write {option} to {Describe(kind)}; expected a regular file or a new path");
        }
        foreach (var (input, inputOption) in inputs)
            if (!string.IsNullOrEmpty(input) && input != "-" && string.Equals(Resolve(input), full, StringComparison.Ordinal))
                throw new NerveException($"{path}: {option} is also the {inputOption} input; refusing to overwrite an input");
    }

    /// <summary>Writes through a temporary file beside the (resolved) target, or straight to standard output.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        if (IsStdout(path))
        {
            WriteStdout(write);
            return;
        }
        CheckTarget(path, "the output");
        var full = Resolve(path);
        var tmp = full + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        Pending[tmp] = 0;
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (s_terminating) throw new OperationCanceledException();
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new NerveException($"{path}: cannot write: {e.Message}", e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        finally
        {
            Pending.TryRemove(tmp, out _);
        }
    }

    /// <summary>Writes UTF-8 text without a byte order mark.</summary>
    public static void WriteAllText(string path, string text)
        => Write(path, s =>
        {
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
            s.Write(bytes);
        });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>
    /// Deletes every temporary file being written, and stops new ones: for a signal handler (SIGINT, SIGTERM) of a
    /// process about to end.
    /// </summary>
    public static void DeletePending()
    {
        s_terminating = true;
        foreach (var tmp in Pending.Keys) TryDelete(tmp);
    }

    /// <summary>The full path with symbolic links resolved (a dangling link resolves to where it points).</summary>
    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target) return Path.GetFullPath(target.FullName);
        }
        catch (IOException)
        {
            // A link loop or an unreadable link: the write itself will report it.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return full;
    }

    /// <summary>What is at <paramref name="path"/> (following links).</summary>
    public static FileKind Kind(string path)
    {
        if (Directory.Exists(path)) return FileKind.Directory;
        try
        {
            if (Stat(path, out var status) != 0) return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
            return (status.Mode & 0xF000) switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0x1000 => FileKind.Fifo,
                0xC000 => FileKind.Socket,
                _ => FileKind.Other,
            };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
        }
    }

    /// <summary>"a directory", "a character device", …</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO",
        FileKind.Socket => "a socket",
        FileKind.Missing => "a missing file",
        FileKind.Regular => "a regular file",
        _ => "a special file",
    };

    private static void WriteStdout(Action<Stream> write)
    {
        try
        {
            using var stdout = Console.OpenStandardOutput();
            write(stdout);
            stdout.Flush();
        }
        catch (IOException e)
        {
            throw new NerveException($"<stdout>: cannot write: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original exception matters more than a leftover temp file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The leading fields of the runtime's own stat shim (System.Native's FileStatus); the rest is padding.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);
}

/// <summary>What a path names, as stat(2) sees it.</summary>
public enum FileKind { Missing, Regular, Directory, CharacterDevice, BlockDevice, Fifo, Socket, Other }
