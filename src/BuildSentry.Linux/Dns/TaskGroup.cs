namespace BuildSentry.Linux.Dns;

/// <summary>The unfinished tasks a loop started, so that stopping can wait for them; finished ones leave by themselves.</summary>
internal sealed class TaskGroup
{
    private readonly HashSet<Task> _tasks = [];

    public int Count
    {
        get
        {
            lock (_tasks)
            {
                return _tasks.Count;
            }
        }
    }

    /// <summary>Tracks <paramref name="task"/>, which must observe its own exceptions.</summary>
    public void Add(Task task)
    {
        if (task.IsCompleted)
        {
            return;
        }

        // Added before the continuation exists, so the removal can never run first.
        lock (_tasks)
        {
            _tasks.Add(task);
        }

        task.ContinueWith(
            static (finished, state) => ((TaskGroup)state!).Remove(finished), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task WhenAll()
    {
        lock (_tasks)
        {
            return Task.WhenAll([.. _tasks]);
        }
    }

    private void Remove(Task task)
    {
        lock (_tasks)
        {
            _tasks.Remove(task);
        }
    }
}
