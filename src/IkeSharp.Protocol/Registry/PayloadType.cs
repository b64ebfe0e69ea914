namespace IkeSharp.Protocol;

/// <summary>IKEv2 Payload Types (IANA "IKEv2 Payload Types"; RFC 7296 §3.2), by registry notation.</summary>
public enum PayloadType : byte
{
    /// <summary>No Next Payload.</summary>
    NONE = 0,
    /// <summary>Security Association.</summary>
    SA = 33,
    /// <summary>Key Exchange.</summary>
    KE = 34,
    /// <summary>Identification - Initiator.</summary>
    IDi = 35,
    /// <summary>Identification - Responder.</summary>
    IDr = 36,
    /// <summary>Certificate.</summary>
    CERT = 37,
    /// <summary>Certificate Request.</summary>
    CERTREQ = 38,
    /// <summary>Authentication.</summary>
    AUTH = 39,
    /// <summary>Nonce (Ni, Nr).</summary>
    Nonce = 40,
    /// <summary>Notify.</summary>
    N = 41,
    /// <summary>Delete.</summary>
    D = 42,
    /// <summary>Vendor ID.</summary>
    V = 43,
    /// <summary>Traffic Selector - Initiator.</summary>
    TSi = 44,
    /// <summary>Traffic Selector - Responder.</summary>
    TSr = 45,
    /// <summary>Encrypted and Authenticated.</summary>
    SK = 46,
    /// <summary>Configuration.</summary>
    CP = 47,
    /// <summary>Extensible Authentication.</summary>
    EAP = 48,
    /// <summary>Generic Secure Password Methods (RFC 6467).</summary>
    GSPM = 49,
    /// <summary>Group Identification (RFC 9838 / G-IKEv2).</summary>
    IDg = 50,
    /// <summary>Group Security Association.</summary>
    GSA = 51,
    /// <summary>Key Download.</summary>
    KD = 52,
    /// <summary>Encrypted and Authenticated Fragment (RFC 7383).</summary>
    SKF = 53,
    /// <summary>Puzzle Solution (RFC 8019).</summary>
    PS = 54,
}
