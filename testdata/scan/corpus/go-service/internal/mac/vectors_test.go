package mac

var testData = []struct{ key, tag, in string }{
	{key: "1038544da1a4f69ebdf75d2af8b569517024640a1d1a6143cca24a486e50052d", tag: "fb7d2aac51275513c1b48bfb0f1c875b", in: "a0304176edc42bdfa84631c5f06d2fa6"},
	{key: "097055abc348548010fc2c607d2eff49a6cefbb5f0d4a19b77e880a865730597", tag: "13c4d20d3aa2c033860396ba7b1d36c0", in: "069c6fef1f4539c735a5ecdeb513be43"},
	{key: "b7c649cd0ab745c06aa427895a2c77da59ba4d2613d0088a6ad406378eba111e", tag: "869425e44b6ba4d8779f55032c3d8513", in: "2c538fed66279af49decfc8e9bccdfb8"},
}
