using System.Collections.Concurrent;

namespace Clearwing.Findings;

/// <summary>
/// Enumerates a sequence on a thread of its own, a few batches ahead of the consumer, so reading and parsing a file
/// overlaps storing what was read (on two cores the import's storing thread is the critical path; the reader keeps
/// it fed). Order is kept; an error the reader meets reaches the consumer where it happened in the sequence; a
/// consumer that stops early stops the reader.
/// </summary>
internal static class ReadAhead
{
    // Enough to ride out the reader's stalls, and no more: what waits in the queue outlives a garbage collection or two,
    // and with 4,096 results waiting every collection promoted megabytes to the older generations (6 s of a million-result
    // import's 40 went to GC pauses; 0.7 s with 512).
    const int BatchSize = 128, Batches = 4;

    public static IEnumerable<T> Of<T>(IEnumerable<T> source, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var pending = new BlockingCollection<List<T>>(Batches);
        Exception? failure = null;
        var reader = Task.Factory.StartNew(() =>
        {
            var batch = new List<T>(BatchSize);
            try
            {
                try
                {
                    foreach (var item in source)
                    {
                        batch.Add(item);
                        if (batch.Count < BatchSize) continue;
                        pending.Add(batch, stop.Token);
                        batch = new List<T>(BatchSize);
                    }
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    failure = e; // raised once the items read before it are consumed
                }
                pending.Add(batch, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early, or the import was cancelled.
            }
            finally
            {
                pending.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in pending.GetConsumingEnumerable(ct))
                foreach (var item in batch)
                    yield return item;
        }
        finally
        {
            stop.Cancel();
            reader.Wait(CancellationToken.None);
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }
}
