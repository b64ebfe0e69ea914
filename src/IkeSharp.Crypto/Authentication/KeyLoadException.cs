namespace IkeSharp.Crypto;

/// <summary>A key or certificate could not be loaded; the message names the source and what was found there.</summary>
public sealed class KeyLoadException : Exception
{
    public KeyLoadException()
    {
    }

    public KeyLoadException(string message)
        : base(message)
    {
    }

    public KeyLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
