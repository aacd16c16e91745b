using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

/// <summary>The import's read-ahead: order kept, the reader's error where it happened, an early stop stops the reader.</summary>
public sealed class ReadAheadTests
{
    [Fact]
    public void Every_item_arrives_in_order()
    {
        Assert.Equal(Enumerable.Range(0, 10_000), ReadAhead.Of(Enumerable.Range(0, 10_000), TestContext.Current.CancellationToken));
        Assert.Empty(ReadAhead.Of(Enumerable.Empty<int>(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void The_readers_error_reaches_the_consumer_after_the_items_before_it()
    {
        static IEnumerable<int> Failing()
        {
            for (var i = 0; i < 3_000; i++) yield return i;
            throw new MalformedInputException("log.sarif", "$.runs[0].results[3000]", "broken");
        }
        var seen = new List<int>();
        var e = Assert.Throws<MalformedInputException>(() =>
        {
            foreach (var i in ReadAhead.Of(Failing(), TestContext.Current.CancellationToken)) seen.Add(i);
        });
        Assert.Equal("$.runs[0].results[3000]", e.JsonPath);
        Assert.Equal(Enumerable.Range(0, 3_000), seen);
    }

    [Fact]
    public void A_consumer_that_stops_early_stops_the_reader()
    {
        var disposed = new TaskCompletionSource();
        IEnumerable<int> Endless()
        {
            try
            {
                for (var i = 0; ; i++) yield return i;
            }
            finally
            {
                disposed.SetResult();
            }
        }
        Assert.Equal(Enumerable.Range(0, 100), ReadAhead.Of(Endless(), TestContext.Current.CancellationToken).Take(100));
        // The reader's enumerator is disposed (its file closed) by the time the consumer has stopped.
        Assert.True(disposed.Task.IsCompleted);
    }
}
