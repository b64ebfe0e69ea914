using System.Security.Cryptography;
using System.Text;

namespace IkeSharp.Crypto;

/// <summary>
/// The RFC 7468 PEM blocks of a key or certificate file, decoded, with the file's name for error
/// messages. The file may hold a private key, so every copy of it (raw octets, text, decoded DER) lives
/// in an array that <see cref="Dispose"/> wipes, never in an immutable string.
/// </summary>
internal sealed class PemFile : IDisposable
{
    private readonly char[] _text;

    private PemFile(string path, byte[] contents, char[] text, IReadOnlyList<(string Label, byte[] Der)> blocks)
    {
        Path = path;
        Contents = contents;
        _text = text;
        Blocks = blocks;
    }

    public string Path { get; }

    /// <summary>The raw file, for callers that fall back to DER when there is no PEM block.</summary>
    public byte[] Contents { get; }

    public IReadOnlyList<(string Label, byte[] Der)> Blocks { get; }

    /// <exception cref="KeyLoadException">The file cannot be read.</exception>
    public static PemFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] contents;
        try
        {
            contents = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyLoadException($"{path}: cannot read the file ({e.Message}).", e);
        }

        var text = Encoding.ASCII.GetChars(contents);
        var blocks = new List<(string, byte[])>();
        ReadOnlySpan<char> remaining = text;
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            // TryFind has validated the base64, so decoding into the announced length cannot fail.
            var der = new byte[fields.DecodedDataLength];
            Convert.TryFromBase64Chars(remaining[fields.Base64Data], der, out _);
            blocks.Add((remaining[fields.Label].ToString(), der));
            remaining = remaining[fields.Location.End..];
        }

        return new PemFile(path, contents, text, blocks);
    }

    /// <summary>The first block carrying one of <paramref name="labels"/>, or an error saying what the file holds instead.</summary>
    /// <exception cref="KeyLoadException">No block has any of the labels.</exception>
    public (string Label, byte[] Der) Find(string expected, params string[] labels)
    {
        foreach (var block in Blocks)
        {
            if (labels.Contains(block.Label))
            {
                return block;
            }
        }

        throw new KeyLoadException($"{Path}: expected {expected}, but found {DescribeContents()}.");
    }

    public string DescribeContents()
    {
        if (Blocks.Count > 0)
        {
            return "PEM blocks labelled " + string.Join(", ", Blocks.Select(b => b.Label));
        }

        // OpenSSL's legacy encrypted PEM puts RFC 1421 headers inside the block, which RFC 7468 readers skip.
        if (_text.AsSpan().IndexOf("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal) >= 0)
        {
            return "a passphrase-encrypted legacy PEM key, which is not supported (decrypt it with `openssl pkey -in FILE -out FILE`)";
        }

        return _text.AsSpan().IndexOf("-----BEGIN ", StringComparison.Ordinal) >= 0
            ? "a malformed PEM block"
            : $"no PEM block ({Contents.Length} octets that are not PEM text)";
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(Contents);
        Array.Clear(_text);
        foreach (var (_, der) in Blocks)
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }
}
