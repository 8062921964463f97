namespace Nerve.Numerics;

/// <summary>
/// Parallelism inside one kernel call: while a scope from <see cref="Use"/> is open, the float GEMM, GEMV and rank-1
/// kernels of <see cref="Blas{T}"/> called on this thread, and the optimizer's dense update, split their output into
/// disjoint parts, this thread taking part 0 and helper threads the rest. Every output element is computed by one
/// thread with the same operations as without the scope, so results are the same bit for bit whatever the thread
/// count. This is what lets a step that is not split by examples (one sentence of the CRF) use every core.
/// </summary>
public static class IntraOp
{
    [ThreadStatic] private static Team? t_team;
    [ThreadStatic] private static Team? t_idle; // the last team this thread used, kept (its helpers asleep) for the next scope

    /// <summary>The current thread's team, or null outside a scope of more than one thread.</summary>
    internal static Team? Current => t_team;

    /// <summary>Threads this thread's kernels use: 1 outside a scope.</summary>
    public static int Threads => t_team?.Size ?? 1;

    /// <summary>Kernels called on this thread use <paramref name="threads"/> threads (this one and helpers) until the scope is disposed.</summary>
    public static Scope Use(int threads)
    {
        var previous = t_team;
        if (threads <= 1)
        {
            t_team = null;
            return new Scope(previous);
        }
        var team = t_idle is { } idle && idle.Size == threads ? idle : new Team(threads);
        t_idle = team;
        t_team = team;
        return new Scope(previous);
    }

    /// <summary>
    /// This thread's team of <paramref name="threads"/> (≥ 2) threads, for a job that splits work itself
    /// (<see cref="Team.Run"/>) while the kernels inside its parts run unsplit: the team is not left current.
    /// </summary>
    internal static Team TeamOf(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 2);
        using (Use(threads)) return t_team!;
    }

    /// <summary>Restores the team that was current before <see cref="Use"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Team? _previous;

        internal Scope(Team? previous) => _previous = previous;

        public void Dispose() => t_team = _previous;
    }
}

/// <summary>One part of a split kernel call; part 0 runs on the calling thread.</summary>
internal interface IPart
{
    void Run(int part, int parts);
}

/// <summary>
/// A calling thread and Size − 1 helper threads that run the parts of one job at a time. Helpers spin briefly for the
/// next job (steps are microseconds apart) and then sleep on a monitor, so an idle team costs nothing.
/// </summary>
internal sealed class Team
{
    // A few milliseconds of spinning before a helper sleeps, as bare reads without PAUSE: a hypervisor may deschedule a
    // vCPU that spins on PAUSE, which stalls the next batch. (SgdPipeline's barrier waits far shorter and keeps PAUSE.)
    private const int SpinIterations = 4_000_000;

    private readonly Helper[] _helpers;
    private IPart? _job;
    private int _parts;
    private int _generation;
    private int _pending;
    private Exception? _failure;

    public Team(int size)
    {
        _helpers = new Helper[size - 1];
        for (int h = 0; h < _helpers.Length; h++)
        {
            var helper = new Helper();
            _helpers[h] = helper;
            int part = h + 1;
            new Thread(() => Loop(helper, part)) { IsBackground = true, Name = "nerve intra-op " + part }.Start();
        }
    }

    public int Size => _helpers.Length + 1;

    /// <summary>The kernels' job objects (pointers and sizes of the current call), one set per team: nothing allocated per call.</summary>
    public ParallelBlas.Jobs Jobs { get; } = new();

    /// <summary>[start, end) of part <paramref name="part"/> when <paramref name="total"/> items are cut into parts at multiples of <paramref name="align"/> (the last part takes the rest).</summary>
    public static (int Start, int End) Range(int total, int part, int parts, int align)
    {
        int units = (total + align - 1) / align;
        int start = (int)((long)units * part / parts) * align, end = (int)((long)units * (part + 1) / parts) * align;
        return (Math.Min(start, total), part == parts - 1 ? total : Math.Min(end, total));
    }

    /// <summary>Runs job parts 0 … parts − 1 (at most <see cref="Size"/>), part 0 here, and returns when all are done.</summary>
    public void Run(IPart job, int parts)
    {
        parts = Math.Min(parts, Size);
        if (parts <= 1)
        {
            job.Run(0, 1);
            return;
        }
        _job = job;
        _parts = parts;
        _failure = null;
        Volatile.Write(ref _pending, parts - 1);
        Interlocked.Increment(ref _generation);
        for (int h = 0; h < parts - 1; h++)
            if (Interlocked.Exchange(ref _helpers[h].Sleeping, 0) == 1) _helpers[h].Wake();
        try
        {
            job.Run(0, parts);
        }
        finally
        {
            while (Volatile.Read(ref _pending) != 0) { } // parts take microseconds: never yield the core (and no PAUSE, above)
            _job = null;
        }
        if (_failure is { } e) throw new AggregateException("a kernel part failed on a helper thread", e);
    }

    private void Loop(Helper helper, int part)
    {
        int seen = 0;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen)
            {
                if (++spins < SpinIterations) continue;
                // Sleep, unless a job arrived meanwhile; Run clears Sleeping and wakes the helper exactly once.
                Interlocked.Exchange(ref helper.Sleeping, 1);
                if (Volatile.Read(ref _generation) != seen && Interlocked.Exchange(ref helper.Sleeping, 0) == 1)
                    break;
                helper.Sleep();
                spins = 0;
            }
            seen = Volatile.Read(ref _generation);
            var job = _job;
            try
            {
                if (job is not null && part < _parts) job.Run(part, _parts);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            finally
            {
                if (part < _parts) Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>A helper's sleep flag and a binary semaphore made of a monitor (nothing to dispose for a thread that lives as long as the process).</summary>
    private sealed class Helper
    {
        private readonly object _gate = new();
        private bool _signaled;
        public int Sleeping;

        public void Wake()
        {
            lock (_gate)
            {
                _signaled = true;
                Monitor.Pulse(_gate);
            }
        }

        public void Sleep()
        {
            lock (_gate)
            {
                while (!_signaled) Monitor.Wait(_gate);
                _signaled = false;
            }
        }
    }
}
