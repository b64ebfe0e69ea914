namespace IkeSharp.Engine;

/// <summary>
/// Runs the engine's tunnel owners. An owner schedules itself when input arrives and nothing is
/// running it; each scheduled item must run once, on any thread. Production runs them on the thread
/// pool; tests run them on their own thread, in order, to make races reproducible.
/// </summary>
public interface IEngineScheduler
{
    void Schedule(IThreadPoolWorkItem work);
}

/// <summary>The thread pool: many tunnels in parallel, no thread of their own.</summary>
public sealed class ThreadPoolEngineScheduler : IEngineScheduler
{
    public static ThreadPoolEngineScheduler Instance { get; } = new();

    public void Schedule(IThreadPoolWorkItem work) => ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
}
