// ikesharp controls a Linux daemon and reads Linux gateway configs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
