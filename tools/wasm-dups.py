#!/usr/bin/env python3
# Repeated expression trees in a module's text (build/firmware.wat): which inlined bodies or copied code
# cost the most bytes. Locals and labels are normalized, so the same code in two functions matches.
#   python3 tools/wasm-dups.py build/firmware.wat [N]
# Prints, best first: (copies - 1) x nodes, copies, nodes per copy, functions holding it, the tree.
import re,sys,collections
txt=open(sys.argv[1]).read()
toks=re.findall(r'\(|\)|"(?:[^"\\]|\\.)*"|[^\s()]+',txt)
# parse
pos=0
def parse():
    global pos
    assert toks[pos]=='('; pos+=1
    node=[]
    while toks[pos]!=')':
        if toks[pos]=='(': node.append(parse())
        else: node.append(toks[pos]); pos+=1
    pos+=1
    return node
mod=parse()
funcs=[n for n in mod if isinstance(n,list) and n and n[0]=='func']
stats=collections.defaultdict(lambda:[0,0,set()])
def norm(n):
    if isinstance(n,str):
        return re.sub(r'^\$\d+$','$L',n) if n.startswith('$') and n[1:].isdigit() else ('$lab' if n.startswith('$label') else n)
    return '('+' '.join(norm(x) for x in n)+')'
def size(n):
    if isinstance(n,str): return 0
    return 1+sum(size(x) for x in n)
def walk(n,fname):
    if isinstance(n,str): return
    if n and isinstance(n[0],str) and n[0] not in ('func','param','result','local','type','export'):
        s=size(n)
        if s>=12:
            k=norm(n); st=stats[k]; st[0]+=1; st[1]=s; st[2].add(fname)
    for x in n: walk(x,fname)
for f in funcs:
    walk(f,f[1])
rows=sorted(((v[0]-1)*v[1],v[0],v[1],len(v[2]),k) for k,v in stats.items() if v[0]>1)
rows.reverse()
for r in rows[:int(sys.argv[2]) if len(sys.argv)>2 else 40]:
    print(r[0],r[1],r[2],r[3],r[4][:300])
