import socket, time, sys
body = b'{"model":"llama-3-8b/h100-80gb","prompt":"hello","max_tokens":4}'
s = socket.create_connection(("127.0.0.1", 6702))
s.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:6702\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
t0 = time.time()
try:
    for i, b in enumerate(body):
        s.sendall(bytes([b])); time.sleep(float(sys.argv[1]))
    print("sent all at", round(time.time()-t0,1))
    print(s.recv(4000)[:200])
except Exception as e:
    print("error at", round(time.time()-t0,1), e)
