using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Tests.Alerts;

public sealed class AlertQueueTests
{
    private static Alert A(int i, AlertSeverity severity = AlertSeverity.High) =>
        new($"a{i}", DateTimeOffset.UnixEpoch.AddSeconds(i), AlertKinds.EgressConnection, "t", severity, AlertAction.Alerted);

    [Fact]
    public async Task Requeued_alerts_go_back_to_the_head_in_their_original_order()
    {
        var queue = new AlertQueue(10);
        queue.Enqueue(A(3));
        queue.Requeue([A(1), A(2)]);

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var next = await queue.PeekAsync(CancellationToken.None);
            order.Add(next.Id);
            queue.Remove(next);
        }

        Assert.Equal(["a1", "a2", "a3"], order);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Requeued_alerts_wake_a_waiting_reader()
    {
        var queue = new AlertQueue(10);
        var waiting = queue.PeekAsync(CancellationToken.None).AsTask();
        queue.Requeue([A(7)]);

        Assert.Equal("a7", (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Id);
    }

    [Fact]
    public void When_full_the_oldest_non_critical_alert_makes_room_and_is_counted()
    {
        var queue = new AlertQueue(2);
        queue.Enqueue(A(1, AlertSeverity.Critical));
        queue.Enqueue(A(2, AlertSeverity.Info));
        queue.Enqueue(A(3, AlertSeverity.Critical));

        Assert.Equal(2, queue.Count);
        Assert.Equal(1, queue.Dropped);
        Assert.Equal(1, queue.TakeUnreportedDrops());
        Assert.Equal(0, queue.TakeUnreportedDrops());
    }
}
