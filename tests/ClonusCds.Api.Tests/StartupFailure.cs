using Microsoft.AspNetCore.Mvc.Testing;

namespace ClonusCds.Api.Tests;

/// <summary>
/// Starts the API and returns the exception of the given type that stopped it. When
/// startup fails, WebApplication.Run disposes the host, and WebApplicationFactory sometimes reaches
/// the disposed container first and throws ObjectDisposedException instead of the startup error (a
/// race in the test host, not in the service). Only that case is retried, with a fresh factory.
/// </summary>
internal static class StartupFailure
{
    public static T Of<T>(Func<WebApplicationFactory<Program>> create) where T : Exception
    {
        for (var attempt = 1; ; attempt++)
        {
            using var factory = create();
            var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
            if (Flatten(ex).OfType<T>().FirstOrDefault() is { } found)
            {
                return found;
            }

            Assert.True(attempt < 5 && Flatten(ex).Any(e => e is ObjectDisposedException),
                $"startup failed, but not with {typeof(T).Name}: " + ex);
        }
    }

    public static IEnumerable<Exception> Flatten(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
