// Which convolution for TensorEngine: im2col + dnnl_sgemm, or oneDNN's convolution primitives
// (on plain NCHW, or on the blocked layouts oneDNN picks), forward, backward-data and
// backward-weights, at the detector's shapes (batch 8, 256 px input, 16-128 channels).
// A one-off measurement behind the choice in Sources/TensorEngine/_ConvolutionPlan.swift; the
// figures are in bench/RESULTS.md, "Tensor engine".
//
//   cc -O2 -march=native -fopenmp bench/conv_strategies.c -ldnnl -o /tmp/conv_strategies
//   /tmp/conv_strategies 10          # best of 10; SHOW_IMPL=1 names oneDNN's implementations
//
// The im2col loops run on both cores (OpenMP over channels); the blocked variant's reorders
// (NCHW -> blocked input, blocked -> NCHW output) are timed apart.
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define CHECK(x) do { dnnl_status_t st_ = (x); if (st_ != dnnl_success) { printf("err %d at %s:%d\n", st_, __FILE__, __LINE__); exit(1);} } while(0)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
static dnnl_engine_t eng; static dnnl_stream_t st;
typedef struct {int N,C,H,W,O,K,S,P;} shape_t;
static float* rnd(size_t n){float*p=aligned_alloc(64,((n*4+63)/64)*64);for(size_t i=0;i<n;i++)p[i]=(float)rand()/RAND_MAX-0.5f;return p;}
static int OH(shape_t s){return (s.H+2*s.P-s.K)/s.S+1;}
static void im2col(const float*x,int C,int H,int W,int K,int S,int P,int Ho,int Wo,float*col){
 #pragma omp parallel for
 for(int c=0;c<C;c++)for(int ky=0;ky<K;ky++)for(int kx=0;kx<K;kx++){float*row=col+((c*K+ky)*K+kx)*(size_t)Ho*Wo;
  for(int oy=0;oy<Ho;oy++){int iy=oy*S-P+ky; float*r=row+oy*Wo; if(iy<0||iy>=H){memset(r,0,Wo*4);continue;}
   const float*xr=x+((size_t)c*H+iy)*W; for(int ox=0;ox<Wo;ox++){int ix=ox*S-P+kx; r[ox]=(ix>=0&&ix<W)?xr[ix]:0;}}}}
static void col2im(const float*col,int C,int H,int W,int K,int S,int P,int Ho,int Wo,float*x){
 memset(x,0,(size_t)C*H*W*4);
 #pragma omp parallel for
 for(int c=0;c<C;c++)for(int ky=0;ky<K;ky++)for(int kx=0;kx<K;kx++){const float*row=col+((c*K+ky)*K+kx)*(size_t)Ho*Wo;
  for(int oy=0;oy<Ho;oy++){int iy=oy*S-P+ky; if(iy<0||iy>=H)continue; const float*r=row+oy*Wo; float*xr=x+((size_t)c*H+iy)*W;
   for(int ox=0;ox<Wo;ox++){int ix=ox*S-P+kx; if(ix>=0&&ix<W) xr[ix]+=r[ox];}}}}
static void gemmconv(shape_t s,int reps){
 int Ho=OH(s),Wo=Ho; size_t HW=(size_t)Ho*Wo, Kd=(size_t)s.C*s.K*s.K;
 float*x=rnd((size_t)s.N*s.C*s.H*s.W),*w=rnd(s.O*Kd),*y=rnd(s.N*s.O*HW),*dy=rnd(s.N*s.O*HW),*dx=rnd((size_t)s.N*s.C*s.H*s.W),*dw=rnd(s.O*Kd);
 float*col=rnd(Kd*HW*s.N);
 int one=(s.K==1&&s.S==1&&s.P==0);
 double best[3]={1e9,1e9,1e9};
 for(int r=0;r<reps;r++){
  double t0=now();
  for(int n=0;n<s.N;n++){const float*xn=x+(size_t)n*s.C*s.H*s.W; const float*B=xn; if(!one){im2col(xn,s.C,s.H,s.W,s.K,s.S,s.P,Ho,Wo,col);B=col;}
   CHECK(dnnl_sgemm('N','N',s.O,HW,Kd,1,w,Kd,B,HW,0,y+n*s.O*HW,HW));}
  double t1=now();
  for(int n=0;n<s.N;n++){ float*C=one?dx+(size_t)n*s.C*s.H*s.W:col;
   CHECK(dnnl_sgemm('T','N',Kd,HW,s.O,1,w,Kd,dy+n*s.O*HW,HW,0,C,HW));
   if(!one) col2im(col,s.C,s.H,s.W,s.K,s.S,s.P,Ho,Wo,dx+(size_t)n*s.C*s.H*s.W);}
  double t2=now();
  for(int n=0;n<s.N;n++){const float*xn=x+(size_t)n*s.C*s.H*s.W; const float*B=xn; if(!one){im2col(xn,s.C,s.H,s.W,s.K,s.S,s.P,Ho,Wo,col);B=col;}
   CHECK(dnnl_sgemm('N','T',s.O,Kd,HW,1,dy+n*s.O*HW,HW,B,HW,n?1:0,dw,Kd));}
  double t3=now();
  if(t1-t0<best[0])best[0]=t1-t0; if(t2-t1<best[1])best[1]=t2-t1; if(t3-t2<best[2])best[2]=t3-t2;}
 double fl=2.0*s.N*s.O*HW*Kd/1e6;
 printf("  %-26s fwd","im2col + sgemm per image:");printf(" %.2f ms (%.0f GF) bwdD %.2f ms (%.0f GF) bwdW %.2f ms (%.0f GF)\n",best[0],fl/best[0],best[1],fl/best[1],best[2],fl/best[2]);
 // batched im2col: col [Kd, N*HW]
 float*colb=rnd(Kd*HW*s.N),*yb=rnd(s.N*s.O*HW);
 double bb=1e9; for(int r=0;r<reps;r++){double t0=now();
  for(int n=0;n<s.N;n++){ float*tmp=col; im2col(x+(size_t)n*s.C*s.H*s.W,s.C,s.H,s.W,s.K,s.S,s.P,Ho,Wo,tmp);
   for(size_t k=0;k<Kd;k++) memcpy(colb+k*s.N*HW+n*HW,tmp+k*HW,HW*4);}
  CHECK(dnnl_sgemm('N','N',s.O,s.N*HW,Kd,1,w,Kd,colb,s.N*HW,0,yb,s.N*HW));
  for(int n=0;n<s.N;n++)for(int o=0;o<s.O;o++)memcpy(y+((size_t)n*s.O+o)*HW,yb+(size_t)o*s.N*HW+n*HW,HW*4);
  double t=now()-t0; if(t<bb)bb=t;}
 printf("  %-26s fwd %.2f ms (%.0f GF)\n","im2col + one batched sgemm:",bb,fl/bb);
 free(x);free(w);free(y);free(dy);free(dx);free(dw);free(col);free(colb);free(yb);
}
static dnnl_primitive_t mk(const_dnnl_op_desc_t d, const_dnnl_primitive_desc_t hint, dnnl_primitive_desc_t*pdout){
 dnnl_primitive_desc_t pd; CHECK(dnnl_primitive_desc_create(&pd,d,NULL,eng,hint)); dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p,pd));
 const char*impl; dnnl_primitive_desc_query(pd,dnnl_query_impl_info_str,0,&impl); if(getenv("SHOW_IMPL"))printf("    impl %s\n",impl); *pdout=pd; return p;}
static void dnnlconv(shape_t s,int reps,dnnl_format_tag_t dt,dnnl_format_tag_t wt){
 int Ho=OH(s);
 dnnl_dims_t xd={s.N,s.C,s.H,s.W}, wd={s.O,s.C,s.K,s.K}, bd={s.O}, yd={s.N,s.O,Ho,Ho}, str={s.S,s.S}, pad={s.P,s.P};
 dnnl_memory_desc_t xm,wm,bm,ym; CHECK(dnnl_memory_desc_init_by_tag(&xm,4,xd,dnnl_f32,dt)); CHECK(dnnl_memory_desc_init_by_tag(&wm,4,wd,dnnl_f32,wt));
 CHECK(dnnl_memory_desc_init_by_tag(&bm,1,bd,dnnl_f32,dnnl_x)); CHECK(dnnl_memory_desc_init_by_tag(&ym,4,yd,dnnl_f32,dt));
 dnnl_convolution_desc_t fd,bdd,bwd;
 CHECK(dnnl_convolution_forward_desc_init(&fd,dnnl_forward_training,dnnl_convolution_direct,&xm,&wm,&bm,&ym,str,pad,pad));
 dnnl_primitive_desc_t fpd,bdpd,bwpd; dnnl_primitive_t fp=mk(&fd,NULL,&fpd);
 CHECK(dnnl_convolution_backward_data_desc_init(&bdd,dnnl_convolution_direct,&xm,&wm,&ym,str,pad,pad)); dnnl_primitive_t bp=mk(&bdd,fpd,&bdpd);
 CHECK(dnnl_convolution_backward_weights_desc_init(&bwd,dnnl_convolution_direct,&xm,&wm,&bm,&ym,str,pad,pad)); dnnl_primitive_t wp=mk(&bwd,fpd,&bwpd);
 // query actual descs
 const dnnl_memory_desc_t *sx=dnnl_primitive_desc_query_md(fpd,dnnl_query_src_md,0),*sw=dnnl_primitive_desc_query_md(fpd,dnnl_query_weights_md,0),*sy=dnnl_primitive_desc_query_md(fpd,dnnl_query_dst_md,0);
 const dnnl_memory_desc_t *dxs=dnnl_primitive_desc_query_md(bdpd,dnnl_query_diff_src_md,0),*dys=dnnl_primitive_desc_query_md(bdpd,dnnl_query_diff_dst_md,0);
 const dnnl_memory_desc_t *wdw=dnnl_primitive_desc_query_md(bwpd,dnnl_query_diff_weights_md,0),*wsrc=dnnl_primitive_desc_query_md(bwpd,dnnl_query_src_md,0),*wdy=dnnl_primitive_desc_query_md(bwpd,dnnl_query_diff_dst_md,0);
 dnnl_memory_t X,W,B,Y,DX,DY,DW,DB,X2,DY2;
 CHECK(dnnl_memory_create(&X,sx,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&W,sw,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&B,&bm,eng,DNNL_MEMORY_ALLOCATE));
 CHECK(dnnl_memory_create(&Y,sy,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&DX,dxs,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&DY,dys,eng,DNNL_MEMORY_ALLOCATE));
 CHECK(dnnl_memory_create(&DW,wdw,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&DB,&bm,eng,DNNL_MEMORY_ALLOCATE));
 CHECK(dnnl_memory_create(&X2,wsrc,eng,DNNL_MEMORY_ALLOCATE));CHECK(dnnl_memory_create(&DY2,wdy,eng,DNNL_MEMORY_ALLOCATE));
 // reorder costs: plain nchw -> actual src, plain -> dy; actual y -> plain

 dnnl_memory_desc_t xp,yp; dnnl_memory_desc_init_by_tag(&xp,4,xd,dnnl_f32,dnnl_nchw); dnnl_memory_desc_init_by_tag(&yp,4,yd,dnnl_f32,dnnl_nchw);
 dnnl_memory_t QX,QY; dnnl_memory_create(&QX,&xp,eng,DNNL_MEMORY_ALLOCATE); dnnl_memory_create(&QY,&yp,eng,DNNL_MEMORY_ALLOCATE);
 dnnl_primitive_desc_t r1pd,r2pd; CHECK(dnnl_reorder_primitive_desc_create(&r1pd,&xp,eng,sx,eng,NULL)); CHECK(dnnl_reorder_primitive_desc_create(&r2pd,sy,eng,&yp,eng,NULL));
 dnnl_primitive_t r1,r2; dnnl_primitive_create(&r1,r1pd); dnnl_primitive_create(&r2,r2pd);
 float*xx; dnnl_memory_get_data_handle(X,(void**)&xx); (void)xx;
 dnnl_exec_arg_t fa[]={{DNNL_ARG_SRC,X},{DNNL_ARG_WEIGHTS,W},{DNNL_ARG_BIAS,B},{DNNL_ARG_DST,Y}};
 dnnl_exec_arg_t ba[]={{DNNL_ARG_DIFF_SRC,DX},{DNNL_ARG_WEIGHTS,W},{DNNL_ARG_DIFF_DST,DY}};
 dnnl_exec_arg_t wa[]={{DNNL_ARG_SRC,X2},{DNNL_ARG_DIFF_WEIGHTS,DW},{DNNL_ARG_DIFF_BIAS,DB},{DNNL_ARG_DIFF_DST,DY2}};
 dnnl_exec_arg_t ra1[]={{DNNL_ARG_FROM,QX},{DNNL_ARG_TO,X}}; dnnl_exec_arg_t ra2[]={{DNNL_ARG_FROM,Y},{DNNL_ARG_TO,QY}};
 double best[4]={1e9,1e9,1e9,1e9};
 for(int r=0;r<reps;r++){double t0=now(); CHECK(dnnl_primitive_execute(fp,st,4,fa)); dnnl_stream_wait(st); double t1=now();
  CHECK(dnnl_primitive_execute(bp,st,3,ba)); dnnl_stream_wait(st); double t2=now();
  CHECK(dnnl_primitive_execute(wp,st,4,wa)); dnnl_stream_wait(st); double t3=now();
  dnnl_primitive_execute(r1,st,2,ra1); dnnl_primitive_execute(r2,st,2,ra2); dnnl_stream_wait(st); double t4=now();
  if(t1-t0<best[0])best[0]=t1-t0; if(t2-t1<best[1])best[1]=t2-t1; if(t3-t2<best[2])best[2]=t3-t2; if(t4-t3<best[3])best[3]=t4-t3;}
 double fl=2.0*s.N*s.O*Ho*Ho*(double)s.C*s.K*s.K/1e6;
 printf("  %-26s fwd %.2f ms (%.0f GF) bwdD %.2f ms (%.0f GF) bwdW %.2f ms (%.0f GF)  reorder x+y %.2f ms\n",dt==dnnl_nchw?"oneDNN conv, plain NCHW:":"oneDNN conv, blocked (any):",best[0],fl/best[0],best[1],fl/best[1],best[2],fl/best[2],best[3]);
}
int main(int argc,char**argv){
 CHECK(dnnl_engine_create(&eng,dnnl_cpu,0)); CHECK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
 shape_t sh[]={{8,3,256,256,16,3,2,1},{8,16,128,128,32,3,2,1},{8,32,64,64,64,3,2,1},{8,64,32,32,128,3,2,1},{8,64,32,32,64,3,1,1},{8,64,16,16,64,3,1,1},{8,128,16,16,64,1,1,0},{8,16,128,128,16,3,1,1}};
 int reps=argc>1?atoi(argv[1]):5;
 {int M=1024; float*a=rnd(M*M),*b=rnd(M*M),*c=rnd(M*M); double bt=1e9; for(int r=0;r<reps;r++){double t0=now(); dnnl_sgemm('N','N',M,M,M,1,a,M,b,M,0,c,M); double t=now()-t0; if(t<bt)bt=t;} printf("sgemm 1024: %.2f ms %.0f GF\n",bt,2.0*M*M*M/1e6/bt);}
 for(int i=0;i<8;i++){shape_t s=sh[i]; printf("N%d C%d %dx%d -> O%d k%d s%d\n",s.N,s.C,s.H,s.W,s.O,s.K,s.S);
  gemmconv(s,reps); dnnlconv(s,reps,dnnl_nchw,dnnl_oihw); dnnlconv(s,reps,dnnl_format_tag_any,dnnl_format_tag_any);}
}
